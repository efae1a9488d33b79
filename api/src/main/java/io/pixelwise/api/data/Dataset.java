package io.pixelwise.api.data;

/** A labelled image collection with its label set. */
public interface Dataset {

  ClassInfo classes();

  /**
   * The samples of a split.
   *
   * @throws IllegalArgumentException if the dataset has no such split, naming what it has
   */
  SampleSource split(Split split);
}
