package io.pixelwise.runner.train;

import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.engine.Cluster;
import io.pixelwise.engine.Shards;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster worker's input pipeline ({@code cluster.input = shards}): its replicas' share of every
 * training batch, read with the chief's order, flips and augmentation (they follow from
 * {@code train.seed} and the epoch), into the queue the chief's training step takes them from.
 *
 * <p>The chief says where the run starts ({@link Shards.Start}) through a queue on this task rather
 * than the worker reading the run folder: workers on other machines see no run folder, and a
 * resumed chief's restored step, not a file that may be stale, is what the slices must match.
 */
public final class ShardWorker {
  private static final Logger LOG = LoggerFactory.getLogger(ShardWorker.class);

  private final Experiment experiment;
  private final Cluster cluster;

  public ShardWorker(Experiment experiment, Cluster cluster) {
    this.experiment = experiment;
    this.cluster = cluster;
  }

  /**
   * Opens the train split, waits for the chief's start message, then feeds every remaining step
   * of the run (blocking while the chief is {@code Shards.CAPACITY} slices behind).
   *
   * @return the images this worker read
   * @throws IllegalArgumentException if this worker's data or settings disagree with the chief's
   */
  public long run() throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(experiment.settings().data().workers(), Trainer.daemonThreads());
    try (Shards.Feed feed = new Shards.Feed(cluster)) {
      // Opened before waiting for the chief, so that missing data stops this worker at once.
      SampleSource trainSet = experiment.samples(Split.TRAIN, pool);
      int batchSize = experiment.settings().train().batchSize();
      Shards.Start start = feed.awaitStart();
      String where = "cluster worker task " + cluster.task() + " at " + cluster.workers().get(cluster.task());
      if (start.trainImages() != trainSet.size()) {
        throw new IllegalArgumentException(
            where + ": its train split has " + trainSet.size() + " images, the chief's " + start.trainImages()
                + ": every task must read the same dataset (same files and dataset options)");
      }
      if (start.batchSize() != batchSize || start.seed() != experiment.seed()) {
        throw new IllegalArgumentException(
            where + ": train.batch-size = " + batchSize + " and train.seed = " + experiment.seed() + ", the chief's "
                + start.batchSize() + " and " + start.seed() + ": start every task with the same experiment file");
      }
      // The chief's graph gives every task as many replicas as the chief has devices.
      int local = start.replicasPerTask();
      BatchLoader.Shard shard = new BatchLoader.Shard(cluster.workers().size() * local, cluster.task() * local, local);
      LOG.info("{}: reading replicas {}..{} of {} from epoch {} (step {} of {})", where, shard.first(),
          shard.first() + local - 1, shard.replicas(), start.firstEpoch(), start.step(), start.totalSteps());
      long step = start.step();
      long images = 0;
      for (int epoch = start.firstEpoch(); step < start.totalSteps(); epoch++) {
        long epochImages = 0;
        try (BatchLoader loader = new BatchLoader(trainSet, Trainer.trainOptions(experiment, epoch), pool, shard)) {
          if (!loader.hasNext()) {
            throw new IllegalArgumentException(where + ": its train split is empty");
          }
          while (loader.hasNext() && step < start.totalSteps()) {
            try (Batch slice = loader.next()) {
              feed.put(step + 1, slice);
              epochImages += slice.count();
            }
            step++;
          }
        }
        images += epochImages;
        LOG.info("{}: epoch {}: read {} train images", where, epoch, epochImages);
      }
      LOG.info("{}: fed every step of the run ({} images read)", where, images);
      return images;
    } finally {
      pool.shutdownNow();
    }
  }
}
