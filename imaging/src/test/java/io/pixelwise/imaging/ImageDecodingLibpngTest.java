package io.pixelwise.api.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Every {@link ImageFilesTest} again with {@code data.libdeflate = false}: TensorFlow's libpng decodes. */
class ImageFilesLibpngTest extends ImageFilesTest {
  @BeforeEach
  void useLibpng() {
    ImageFiles.setLibdeflate(false);
  }

  @AfterEach
  void restore() {
    ImageFiles.setLibdeflate(true);
  }
}
