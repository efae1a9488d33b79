package io.pixelwise.runner.train;

import com.typesafe.config.Config;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.runner.data.Augmentation;
import io.pixelwise.runner.data.Batch;
import io.pixelwise.runner.data.BatchLoader;
import io.pixelwise.runner.engine.Cluster;
import io.pixelwise.runner.engine.EngineOptions;
import io.pixelwise.runner.engine.LearningRateSchedule;
import io.pixelwise.runner.engine.ModelSession;
import io.pixelwise.runner.engine.SegmentationGraph;
import io.pixelwise.runner.engine.Shards;
import io.pixelwise.runner.output.Json;
import io.pixelwise.runner.output.Progress;
import io.pixelwise.runner.output.RunFolder;
import io.pixelwise.runner.report.RunPictures;
import io.pixelwise.runner.report.TensorBoardWriter;
import com.typesafe.config.ConfigFactory;
import io.pixelwise.runner.weights.WeightFile;
import io.pixelwise.runner.weights.WeightFiles;
import io.pixelwise.runner.weights.WeightImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: epochs of shuffled batches, evaluation on the validation split, checkpoints
 * (latest and best), and metrics.json rewritten after every evaluation.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** What a finished run reports. */
  public record Summary(long steps, int epochs, double bestScore, String bestCheckpoint, List<Map<String, Object>> history) {}

  private final Experiment experiment;
  private final RunFolder run;
  private final Config c;

  public Trainer(Experiment experiment, RunFolder run) {
    this.experiment = experiment;
    this.run = run;
    this.c = experiment.config();
  }

  /**
   * Where an interrupted run stands: its latest checkpoint, and the history and best score up to
   * that checkpoint's epoch, read back from the run folder.
   */
  public record Resume(Path checkpoint, long step, int epoch, List<Map<String, Object>> history, double bestScore, String bestName) {

    public static Resume from(RunFolder run, String bestBy) throws IOException {
      CheckpointStore store = new CheckpointStore(run.checkpoints(), 1);
      String latest = store.pointer(CheckpointStore.LATEST).orElseThrow(() -> new IllegalArgumentException(
          "--resume " + run.dir() + ": the run has no checkpoint yet (no " + run.checkpoints().resolve(CheckpointStore.LATEST)
              + "); start it again instead"));
      Path prefix = run.checkpoints().resolve(latest);
      Map<String, Object> info = CheckpointStore.info(prefix);
      if (!(info.get("step") instanceof Number step) || !(info.get("epoch") instanceof Number epoch)) {
        throw new IllegalArgumentException("--resume: " + prefix + ".json lacks step and epoch");
      }
      List<Map<String, Object>> history = new ArrayList<>();
      if (Files.isRegularFile(run.metricsJson())) {
        var metrics = ConfigFactory.parseFile(run.metricsJson().toFile());
        for (var record : metrics.getConfigList("epochs")) {
          if (record.getInt("epoch") <= epoch.intValue()) {
            history.add(record.root().unwrapped());
          }
        }
      }
      double bestScore = Double.NEGATIVE_INFINITY;
      String bestName = store.pointer(CheckpointStore.BEST).orElse(null);
      if (bestName != null && CheckpointStore.info(run.checkpoints().resolve(bestName)).get(bestBy) instanceof Number v) {
        bestScore = v.doubleValue();
      }
      return new Resume(prefix, step.longValue(), epoch.intValue(), history, bestScore, bestName);
    }
  }

  public Summary train() throws IOException {
    return train(null);
  }

  /** Trains from scratch, or from {@code resume} on (same data order and schedule as if never stopped). */
  public Summary train(Resume resume) throws IOException {
    // A resumed run restores its checkpoint instead of importing weights.
    Path initFrom = resume == null ? initFrom() : null;
    ExecutorService workers = Executors.newFixedThreadPool(positive("data.workers"), daemonThreads());
    try {
      return train(workers, resume, initFrom);
    } finally {
      workers.shutdownNow();
    }
  }

  private Summary train(ExecutorService workers, Resume resume, Path initFrom) throws IOException {
    SampleSource trainSet = experiment.samples(Split.TRAIN, workers);
    SampleSource valSet = experiment.samples(Split.VAL, workers);
    int batchSize = positive("train.batch-size");
    int epochs = positive("train.epochs");
    int evalEvery = positive("train.eval-every-epochs");
    int stepsPerEpoch = (trainSet.size() + batchSize - 1) / batchSize;
    long maxSteps = c.getLong("train.max-steps");
    long totalSteps = maxSteps > 0 ? Math.min(maxSteps, (long) epochs * stepsPerEpoch) : (long) epochs * stepsPerEpoch;
    int lastEpoch = (int) Math.min(epochs, (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    double baseLr = c.getDouble("optimizer.learning-rate");
    LearningRateSchedule schedule = LearningRateSchedule.fromConfig(c.getConfig("schedule"), baseLr, totalSteps);
    String bestBy = c.getString("train.best-by");
    long seed = experiment.seed();

    BatchLoader.Options evalOptions =
        new BatchLoader.Options(
            positive("eval.batch-size"), experiment.inputSize(), experiment.channels(), null, false, c.getInt("data.prefetch"));
    CheckpointStore checkpoints = new CheckpointStore(run.checkpoints(), c.getInt("train.keep-checkpoints"));
    List<Map<String, Object>> history = new ArrayList<>(resume == null ? List.of() : resume.history());
    double bestScore = resume == null ? Double.NEGATIVE_INFINITY : resume.bestScore();
    String bestName = resume == null ? null : resume.bestName();
    long step = resume == null ? 0 : resume.step();
    int firstEpoch = resume == null ? 1 : resume.epoch() + 1;
    int patience = c.getInt("train.early-stopping-patience");
    double lrScale = 1;
    int rollbacks = 0;
    int evaluationsSinceBest = 0;
    boolean pictures = c.getBoolean("output.pictures");
    trainOptions(experiment, firstEpoch); // data.augment's mistakes show before any work
    int sampleImages = pictures || c.getBoolean("output.tensorboard") ? Math.max(0, c.getInt("output.sample-images")) : 0;
    Evaluator.Evaluation latest = null;

    try (TensorBoardWriter board = c.getBoolean("output.tensorboard") ? TensorBoardWriter.create(run.dir()) : null;
        SegmentationGraph graph = experiment.buildGraph();
        ModelSession session = openSession(graph)) {
      session.initialize();
      String onNonFinite = c.getString("train.non-finite-loss.action");
      if (!onNonFinite.equals("stop") && !onNonFinite.equals("rollback")) {
        throw new IllegalArgumentException(
            "train.non-finite-loss.action: expected stop or rollback, got '" + onNonFinite + "'");
      }
      int rollbacksLeft = onNonFinite.equals("rollback") ? c.getInt("train.non-finite-loss.max-rollbacks") : 0;
      if (resume != null) {
        session.restore(resume.checkpoint());
        LOG.info("resuming from {} (epoch {}, step {})", resume.checkpoint(), resume.epoch(), resume.step());
      } else if (initFrom != null) {
        importWeights(initFrom, graph, session);
      }
      if (rollbacksLeft > 0 && checkpoints.pointer(CheckpointStore.LATEST).isEmpty()) {
        checkpoints.save(session, step, 0, Map.of()); // the starting point to roll back to
      }
      // Class-balanced loss weights came from these counts: keep them with the run (evaluate,
      // predict and --resume read them back instead of counting again).
      if (experiment.usedFrequencies().isPresent()) {
        TrainClassFrequencies.write(
            run.dir().resolve(TrainClassFrequencies.FILE), experiment.usedFrequencies().get(), experiment.classes());
      }
      LOG.info(
          "training {} parameters on {} images ({} val) at {}x{}, {} epochs of {} steps, batch {}",
          graph.parameterCount(), trainSet.size(), valSet.size(), experiment.inputSize().width(),
          experiment.inputSize().height(), lastEpoch, stepsPerEpoch, batchSize);
      if (graph.devices().size() > 1) {
        LOG.info("each batch split over {} replicas on {}", graph.devices().size(), graph.devices());
      }
      BatchLoader.Shard shard = null;
      if (graph.workersReadShards()) {
        // The chief reads its own replicas' share; the workers read theirs once told where the run starts.
        int local = Math.max(1, experiment.devices().size());
        shard = new BatchLoader.Shard(graph.devices().size(), 0, local);
        session.startWorkers(new Shards.Start(firstEpoch, step, totalSteps, trainSet.size(), batchSize, seed, local));
        LOG.info("the cluster workers read their own shards of every batch (cluster.input = shards)");
      }
      for (int epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
        long epochStart = System.nanoTime();
        double lossSum = 0;
        int images = 0;
        int skippedSamples = 0;
        int skippedSteps = 0;
        long epochImages = Math.min(trainSet.size(), (totalSteps - step) * batchSize);
        try (BatchLoader loader = new BatchLoader(trainSet, trainOptions(experiment, epoch), workers, shard);
            Progress progress = Progress.start(String.format("epoch %d/%d", epoch, lastEpoch), epochImages)) {
          while (loader.hasNext() && step < totalSteps) {
            try (Batch batch = loader.next()) {
            float lr = (float) (schedule.at(step) * lrScale);
            ModelSession.StepLoss loss = session.train(batch, lr, step + 1);
            step++;
            if (!loss.applied() && loss.lossScale() > 1) {
              // Loss scaling: a float16 gradient overflowed, so the step changed nothing but the
              // scale, which it halved. Not a failure unless it keeps happening down to scale 1.
              skippedSteps++;
              LOG.debug("step {}: gradients not finite at loss scale {}: update skipped, scale halved", step, loss.lossScale());
              if (Float.isFinite(loss.data())) {
                // The forward pass is a measurement like any other: only the backward one overflowed.
                lossSum += (double) loss.data() * loss.images();
                images += loss.images();
              }
              progress.step(loss.images(), String.format("loss %.4f lr %.2e", lossSum / Math.max(1, images), lr));
              continue;
            }
            // Without loss scaling a non-finite loss has already written non-finite values into the
            // weights; with it, the update was skipped but even a scale of 1 did not help.
            String failure = !Float.isFinite(loss.total()) ? "loss became " + loss.total()
                : !loss.applied() ? "gradients were not finite even at loss scale 1" : null;
            if (failure != null && rollbacksLeft > 0 && checkpoints.pointer(CheckpointStore.LATEST).isPresent()) {
              // Go back to the last checkpoint (weights and optimizer state) and carry on with a smaller rate.
              String back = checkpoints.pointer(CheckpointStore.LATEST).orElseThrow();
              session.restore(run.checkpoints().resolve(back));
              rollbacksLeft--;
              lrScale *= c.getDouble("train.non-finite-loss.lr-factor");
              rollbacks++;
              LOG.warn("{} at step {} (epoch {}) on images {}: rolled back to {}, learning rate x{}",
                  failure, step, epoch, batch.ids(), back, String.format("%.3g", lrScale));
              continue;
            }
            if (failure != null) {
              throw new IllegalStateException(
                  failure + " at step " + step + " (epoch " + epoch + ") on images "
                      + batch.ids() + "; the last good checkpoint is "
                      + checkpoints.pointer(CheckpointStore.LATEST).orElse("none")
                      + ". Lower optimizer.learning-rate or check these images' labels.");
            }
            // loss.images(), not batch.count(): with shards the batch is the chief's share only.
            lossSum += (double) loss.data() * loss.images();
            images += loss.images();
            progress.step(loss.images(), String.format("loss %.4f lr %.2e", lossSum / images, lr));
            }
          }
          skippedSamples = loader.skipped();
        }
        double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("epoch", epoch);
        record.put("step", step);
        record.put("learning_rate", schedule.at(Math.max(0, step - 1)) * lrScale);
        if (rollbacks > 0) {
          record.put("rollbacks", rollbacks);
        }
        if (skippedSamples > 0) {
          record.put("skipped_samples", skippedSamples);
        }
        OptionalDouble lossScale = session.lossScale();
        if (lossScale.isPresent()) {
          record.put("loss_scale", lossScale.getAsDouble());
          record.put("skipped_steps", skippedSteps);
          LOG.info("epoch {}: loss scale {}, {} of its steps skipped (gradients not finite in float16)",
              epoch, lossScale.getAsDouble(), skippedSteps);
        }
        // NaN (null in metrics.json) for an epoch without a finite loss, rather than a made-up 0.
        record.put("train_loss", images > 0 ? lossSum / images : Double.NaN);
        record.put("train_images_per_second", images / trainSeconds);
        record.put("train_seconds", trainSeconds);
        if (epoch % evalEvery == 0 || epoch == lastEpoch) {
          Evaluator.Evaluation eval =
              Evaluator.run(
                  session, valSet, evalOptions, experiment.newMetrics(), workers, "validate", sampleImages);
          latest = eval;
          record.put("val_loss", eval.loss());
          record.put("val_images_per_second", eval.imagesPerSecond());
          Map<String, Object> metrics = new LinkedHashMap<>();
          for (Map.Entry<String, MetricResult> e : eval.metrics().entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>(e.getValue().scalars());
            m.putAll(e.getValue().details());
            metrics.put(e.getKey(), m);
            LOG.info("epoch {} validation, {}:\n{}", epoch, e.getKey(), e.getValue().report());
          }
          record.put("metrics", metrics);
          double score = eval.scalar(bestBy);
          String name = checkpoints.save(session, step, epoch, Map.of(bestBy, score));
          if (score > bestScore) {
            bestScore = score;
            bestName = name;
            checkpoints.markBest(name);
            evaluationsSinceBest = 0;
          } else {
            evaluationsSinceBest++;
          }
          LOG.info(
              "epoch {}: train loss {}, val loss {}, {} {} (best {}), {} img/s",
              epoch, fmt(lossSum / Math.max(1, images)), fmt(eval.loss()), bestBy, fmt(score), fmt(bestScore),
              String.format("%.1f", images / trainSeconds));
        } else {
          LOG.info("epoch {}: train loss {}, {} img/s", epoch, fmt(lossSum / Math.max(1, images)), String.format("%.1f", images / trainSeconds));
        }
        history.add(record);
        Json.write(run.metricsJson(), Map.of("epochs", history, "best", bestSummary(bestBy, bestScore, bestName)));
        if (board != null) {
          // The sample grid is ~250 KB: every 5th epoch and the last keep the event file small.
          boolean withImage = epoch % 5 == 0 || epoch == lastEpoch;
          board(board, record, step, latest != null && record.containsKey("val_loss") ? latest : null, withImage);
        }
        if (latest != null && pictures) {
          RunPictures.write(run.dir(), history, latest.metrics(), latest.samples(), experiment.classes());
        }
        if (patience > 0 && evaluationsSinceBest >= patience) {
          LOG.info("early stop after epoch {}: {} has not improved for {} evaluations (train.early-stopping-patience)",
              epoch, bestBy, evaluationsSinceBest);
          break;
        }
      }
    }
    return new Summary(step, history.size(), bestScore, bestName, history);
  }

  /**
   * How epoch {@code epoch} reads the train split: the order, flips and augmentation follow from
   * the seed and the epoch alone, so every cluster task reading a shard agrees with the chief.
   */
  static BatchLoader.Options trainOptions(Experiment experiment, int epoch) {
    Config c = experiment.config();
    return new BatchLoader.Options(
        c.getInt("train.batch-size"), experiment.inputSize(), experiment.channels(), experiment.seed() * 1_000_003L + epoch,
        c.getBoolean("data.hflip"), c.getInt("data.prefetch"),
        Augmentation.fromConfig(c.getConfig("data.augment"), experiment.classes().ignoreId()),
        c.getBoolean("data.skip-bad-samples"));
  }

  /** In process, or on the cluster's chief server (started here) when the experiment has a cluster. */
  private ModelSession openSession(SegmentationGraph graph) {
    Cluster cluster = experiment.cluster().orElse(null);
    if (cluster != null) {
      cluster.serve(experiment.devices());
    }
    return new ModelSession(graph, EngineOptions.fromConfig(c.getConfig("runtime")), cluster);
  }

  /** The epoch's record as TensorBoard scalars, and the validation samples as an image. */
  private void board(
      TensorBoardWriter board, Map<String, Object> record, long step, Evaluator.Evaluation eval, boolean withImage)
      throws IOException {
    board.scalar("train/loss", step, ((Number) record.get("train_loss")).doubleValue());
    board.scalar("train/learning_rate", step, ((Number) record.get("learning_rate")).doubleValue());
    board.scalar("train/images_per_second", step, ((Number) record.get("train_images_per_second")).doubleValue());
    if (record.get("loss_scale") instanceof Number scale) {
      board.scalar("train/loss_scale", step, scale.doubleValue());
    }
    if (eval != null) {
      board.scalar("val/loss", step, eval.loss());
      for (Map.Entry<String, MetricResult> m : eval.metrics().entrySet()) {
        for (Map.Entry<String, Double> v : m.getValue().scalars().entrySet()) {
          board.scalar("val/" + m.getKey() + "/" + v.getKey(), step, v.getValue());
        }
      }
      if (withImage && !eval.samples().isEmpty()) {
        board.image("val/samples", step, io.pixelwise.runner.report.SampleGrid.draw(eval.samples(), experiment.classes()));
      }
    }
  }

  /** {@code model.init-from}, checked before any work; null for none. */
  private Path initFrom() {
    String file = c.getString("model.init-from");
    if (file.isEmpty()) {
      return null;
    }
    String channels = c.getString("model.init-from-channels");
    if (!channels.equals("bgr") && !channels.equals("rgb")) {
      throw new IllegalArgumentException("model.init-from-channels: expected bgr or rgb, got '" + channels + "'");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("model.init-from: weight file " + path + " does not exist");
    }
    return path;
  }

  /** Pretrained backbone weights over the fresh initial values. */
  private void importWeights(Path file, SegmentationGraph graph, ModelSession session) throws IOException {
    try (WeightFile weights = WeightFiles.open(file)) {
      WeightImport.Report report =
          WeightImport.apply(
              weights,
              graph.backbone().pretrainedNames(),
              graph.modelVariables(),
              SegmentationGraph.BACKBONE_SCOPE + "/",
              c.getString("model.init-from-channels").equals("bgr"),
              session::assign);
      LOG.info("model.init-from {}: {}", file, report.describe());
    }
  }

  private static Map<String, Object> bestSummary(String bestBy, double score, String name) {
    Map<String, Object> best = new LinkedHashMap<>();
    best.put("by", bestBy);
    best.put("value", Double.isFinite(score) ? score : null);
    best.put("checkpoint", name);
    return best;
  }

  private int positive(String key) {
    int v = c.getInt(key);
    if (v < 1) {
      throw new IllegalArgumentException(key + " must be >= 1, got " + v);
    }
    return v;
  }

  private static String fmt(double v) {
    return String.format("%.4f", v);
  }

  static java.util.concurrent.ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "pixelwise-loader");
      t.setDaemon(true);
      return t;
    };
  }
}
