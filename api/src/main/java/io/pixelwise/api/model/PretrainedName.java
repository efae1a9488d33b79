package io.pixelwise.api.model;

import java.util.List;

/**
 * Where published weight files keep one variable of a backbone.
 *
 * @param variable the variable's path below the backbone's scope, e.g. {@code block1/conv1/kernel}
 * @param candidates the tensor's names in the files this backbone knows (HDF5 dataset paths or
 *     {@code .npz} keys), tried in order
 * @param optional true if files may lack it (e.g. the classifier layers of a "no top" file); a
 *     missing variable that is not optional is an error
 * @param imageInput true for the kernel that sees the image: its input-channel axis (2) follows
 *     the file's channel order (BGR for caffe and Keras VGG16), so an import may reverse it
 */
public record PretrainedName(String variable, List<String> candidates, boolean optional, boolean imageInput) {

  public PretrainedName {
    candidates = List.copyOf(candidates);
  }
}
