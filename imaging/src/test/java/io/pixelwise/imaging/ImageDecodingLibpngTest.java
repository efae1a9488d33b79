package io.pixelwise.imaging;

/** Every {@link ImageDecodingTest} again with {@code data.libdeflate = false}: TensorFlow's libpng decodes. */
class ImageDecodingLibpngTest extends ImageDecodingTest {
  @Override
  boolean libdeflate() {
    return false;
  }
}
