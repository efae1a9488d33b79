package io.pixelwise.api.data;

/** Creates a dataset from its options, the model's input size and the runner's image reader. */
@FunctionalInterface
public interface DatasetFactory {

  /** @param context the dataset's options, input size and {@link ImageReader} (api 2.0) */
  Dataset create(DatasetContext context);
}
