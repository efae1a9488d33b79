package io.pixelwise.runner.train;

import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.api.metric.MetricResult;
import io.pixelwise.runner.config.DataSettings;
import io.pixelwise.runner.config.OutputSettings;
import io.pixelwise.runner.config.Settings;
import io.pixelwise.runner.config.TrainSettings;
import io.pixelwise.engine.input.Batch;
import io.pixelwise.engine.input.BatchLoader;
import io.pixelwise.engine.Cluster;
import io.pixelwise.engine.LearningRateSchedule;
import io.pixelwise.engine.ModelSession;
import io.pixelwise.engine.SegmentationGraph;
import io.pixelwise.engine.Shards;
import io.pixelwise.engine.output.Json;
import io.pixelwise.engine.output.Progress;
import io.pixelwise.runner.output.RunFolder;
import io.pixelwise.runner.report.RunPictures;
import io.pixelwise.runner.report.TensorBoardWriter;
import io.pixelwise.engine.weights.WeightFile;
import io.pixelwise.engine.weights.WeightFiles;
import io.pixelwise.engine.weights.WeightImport;
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
import java.util.function.BooleanSupplier;
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
  private final Settings settings;

  public Trainer(Experiment experiment, RunFolder run) {
    this.experiment = experiment;
    this.run = run;
    this.settings = experiment.settings();
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
        Object epochs = Json.read(run.metricsJson()).get("epochs");
        for (Object entry : epochs instanceof List<?> list ? list : List.of()) {
          if (entry instanceof Map<?, ?> record && record.get("epoch") instanceof Number e && e.intValue() <= epoch.intValue()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) record;
            history.add(fields);
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
    ExecutorService workers = Executors.newFixedThreadPool(settings.data().workers(), daemonThreads());
    try {
      return train(workers, resume, initFrom);
    } finally {
      workers.shutdownNow();
    }
  }

  /** The run's plan: its splits and how many steps, epochs and images they make. */
  private record Plan(SampleSource trainSet, SampleSource valSet, int stepsPerEpoch, long totalSteps, int lastEpoch) {
    static Plan of(SampleSource trainSet, SampleSource valSet, TrainSettings train) {
      int stepsPerEpoch = (trainSet.size() + train.batchSize() - 1) / train.batchSize();
      long epochSteps = (long) train.epochs() * stepsPerEpoch;
      long totalSteps = train.maxSteps() > 0 ? Math.min(train.maxSteps(), epochSteps) : epochSteps;
      int lastEpoch = (int) Math.min(train.epochs(), (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);
      return new Plan(trainSet, valSet, stepsPerEpoch, totalSteps, lastEpoch);
    }
  }

  /** What one epoch's training pass measured. */
  private record EpochPass(long steps, double lossSum, int images, int skippedSamples, int skippedSteps) {
    double meanLoss() {
      return lossSum / Math.max(1, images);
    }
  }

  private Summary train(ExecutorService workers, Resume resume, Path initFrom) throws IOException {
    TrainSettings train = settings.train();
    Plan plan = Plan.of(experiment.samples(Split.TRAIN, workers), experiment.samples(Split.VAL, workers), train);
    LearningRateSchedule schedule = settings.optimizer().schedule().over(settings.optimizer().learningRate(), plan.totalSteps());
    String bestBy = train.bestBy();
    BatchLoader.Options evalOptions = evalOptions(experiment);
    CheckpointStore checkpoints = new CheckpointStore(run.checkpoints(), train.keepCheckpoints());
    List<Map<String, Object>> history = new ArrayList<>(resume == null ? List.of() : resume.history());
    BestScore best = resume == null
        ? new BestScore(train.earlyStoppingPatience(), Double.NEGATIVE_INFINITY, null)
        : new BestScore(train.earlyStoppingPatience(), resume.bestScore(), resume.bestName());
    NonFiniteLossPolicy nonFinite = new NonFiniteLossPolicy(train.nonFiniteLoss());
    long step = resume == null ? 0 : resume.step();
    int firstEpoch = resume == null ? 1 : resume.epoch() + 1;
    OutputSettings output = settings.output();
    int sampleImages = output.samplesToDraw();
    Evaluator.Evaluation latest = null;

    try (TensorBoardWriter board = output.tensorboard() ? TensorBoardWriter.create(run.dir()) : null;
        SegmentationGraph graph = experiment.buildGraph();
        ModelSession session = openSession(graph)) {
      start(graph, session, resume, initFrom, checkpoints, nonFinite, step);
      LOG.info(
          "training {} parameters on {} images ({} val) at {}x{}, {} epochs of {} steps, batch {}",
          graph.parameterCount(), plan.trainSet().size(), plan.valSet().size(), experiment.inputSize().width(),
          experiment.inputSize().height(), plan.lastEpoch(), plan.stepsPerEpoch(), train.batchSize());
      if (graph.devices().size() > 1) {
        LOG.info("each batch split over {} replicas on {}", graph.devices().size(), graph.devices());
      }
      BatchLoader.Shard shard = null;
      if (graph.workersReadShards()) {
        // The chief reads its own replicas' share; the workers read theirs once told where the run starts.
        int local = Math.max(1, experiment.devices().size());
        shard = new BatchLoader.Shard(graph.devices().size(), 0, local);
        session.startWorkers(new Shards.Start(
            firstEpoch, step, plan.totalSteps(), plan.trainSet().size(), train.batchSize(), experiment.seed(), local));
        LOG.info("the cluster workers read their own shards of every batch (cluster.input = shards)");
      }
      for (int epoch = firstEpoch; epoch <= plan.lastEpoch(); epoch++) {
        long epochStart = System.nanoTime();
        EpochPass pass;
        try (BatchLoader loader = new BatchLoader(plan.trainSet(), trainOptions(experiment, epoch), workers, shard)) {
          pass = trainEpoch(loader, session, checkpoints, nonFinite, schedule, plan, epoch, step);
        }
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        step += pass.steps();
        Map<String, Object> record = epochRecord(epoch, step, pass, seconds, schedule, nonFinite, session);
        String speed = String.format("%.1f", pass.images() / seconds);
        if (epoch % train.evalEveryEpochs() == 0 || epoch == plan.lastEpoch()) {
          latest = Evaluator.run(
              session, plan.valSet(), evalOptions, experiment.newMetrics(), workers, "validate", sampleImages);
          addValidation(record, latest, epoch);
          double score = latest.scalar(bestBy);
          String name = checkpoints.save(session, step, epoch, Map.of(bestBy, score));
          if (best.offer(score, name)) {
            checkpoints.markBest(name);
          }
          LOG.info(
              "epoch {}: train loss {}, val loss {}, {} {} (best {}), {} img/s",
              epoch, fmt(pass.meanLoss()), fmt(latest.loss()), bestBy, fmt(score), fmt(best.score()), speed);
        } else {
          LOG.info("epoch {}: train loss {}, {} img/s", epoch, fmt(pass.meanLoss()), speed);
        }
        history.add(record);
        Json.write(run.metricsJson(), Map.of("epochs", history, "best", bestSummary(bestBy, best.score(), best.checkpoint())));
        if (board != null) {
          // The sample grid is ~250 KB: every 5th epoch and the last keep the event file small.
          boolean withImage = epoch % 5 == 0 || epoch == plan.lastEpoch();
          board(board, record, step, latest != null && record.containsKey("val_loss") ? latest : null, withImage);
        }
        if (latest != null && output.pictures()) {
          RunPictures.write(run.dir(), history, latest.metrics(), latest.samples(), experiment.classes());
        }
        if (best.patienceExhausted()) {
          LOG.info("early stop after epoch {}: {} has not improved for {} evaluations (train.early-stopping-patience)",
              epoch, bestBy, best.evaluationsSinceBest());
          break;
        }
      }
    }
    return new Summary(step, history.size(), best.score(), best.checkpoint(), history);
  }

  /**
   * The session's first values: a resumed run's checkpoint, else fresh ones with the pretrained
   * weights over them; a checkpoint to roll back to where the policy may need one; and the class
   * frequencies the losses were balanced with, kept with the run.
   */
  private void start(
      SegmentationGraph graph, ModelSession session, Resume resume, Path initFrom, CheckpointStore checkpoints,
      NonFiniteLossPolicy nonFinite, long step) throws IOException {
    session.initialize();
    if (resume != null) {
      session.restore(resume.checkpoint());
      LOG.info("resuming from {} (epoch {}, step {})", resume.checkpoint(), resume.epoch(), resume.step());
    } else if (initFrom != null) {
      importWeights(initFrom, graph, session);
    }
    if (nonFinite.needsStartingPoint() && checkpoints.pointer(CheckpointStore.LATEST).isEmpty()) {
      checkpoints.save(session, step, 0, Map.of()); // the starting point to roll back to
    }
    // Evaluate, predict and --resume read these counts back instead of counting again.
    if (experiment.usedFrequencies().isPresent()) {
      TrainClassFrequencies.write(
          run.dir().resolve(TrainClassFrequencies.FILE), experiment.usedFrequencies().get(), experiment.classes());
    }
  }

  /** What metrics.json keeps of an epoch's training pass. */
  private static Map<String, Object> epochRecord(
      int epoch, long step, EpochPass pass, double seconds, LearningRateSchedule schedule, NonFiniteLossPolicy nonFinite,
      ModelSession session) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("epoch", epoch);
    record.put("step", step);
    record.put("learning_rate", schedule.at(Math.max(0, step - 1)) * nonFinite.learningRateFactor());
    if (nonFinite.rollbacks() > 0) {
      record.put("rollbacks", nonFinite.rollbacks());
    }
    if (pass.skippedSamples() > 0) {
      record.put("skipped_samples", pass.skippedSamples());
    }
    OptionalDouble lossScale = session.lossScale();
    if (lossScale.isPresent()) {
      record.put("loss_scale", lossScale.getAsDouble());
      record.put("skipped_steps", pass.skippedSteps());
      LOG.info("epoch {}: loss scale {}, {} of its steps skipped (gradients not finite in float16)",
          epoch, lossScale.getAsDouble(), pass.skippedSteps());
    }
    // NaN (null in metrics.json) for an epoch without a finite loss, rather than a made-up 0.
    record.put("train_loss", pass.images() > 0 ? pass.lossSum() / pass.images() : Double.NaN);
    record.put("train_images_per_second", pass.images() / seconds);
    record.put("train_seconds", seconds);
    return record;
  }

  /** The validation's loss, speed and metrics into an epoch's record; each metric's report to the log. */
  private static void addValidation(Map<String, Object> record, Evaluator.Evaluation eval, int epoch) {
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
  }

  /**
   * One epoch's training pass, from step {@code step} until the loader is done or the plan's last
   * step: each batch trained, judged by the non-finite-loss policy, shown on the progress bar.
   */
  private EpochPass trainEpoch(
      BatchLoader loader, ModelSession session, CheckpointStore checkpoints, NonFiniteLossPolicy nonFinite,
      LearningRateSchedule schedule, Plan plan, int epoch, long step) throws IOException {
    long first = step;
    double lossSum = 0;
    int images = 0;
    int skippedSteps = 0;
    int batchSize = settings.train().batchSize();
    long epochImages = Math.min(plan.trainSet().size(), (plan.totalSteps() - step) * batchSize);
    try (Progress progress = Progress.start(String.format("epoch %d/%d", epoch, plan.lastEpoch()), epochImages)) {
      while (loader.hasNext() && step < plan.totalSteps()) {
        try (Batch batch = loader.next()) {
          float lr = (float) (schedule.at(step) * nonFinite.learningRateFactor());
          ModelSession.StepLoss loss = session.train(batch, lr, step + 1);
          step++;
          BooleanSupplier canRollBack = () -> checkpoints.pointer(CheckpointStore.LATEST).isPresent();
          switch (nonFinite.judge(loss.total(), loss.applied(), loss.lossScale(), canRollBack)) {
            case SCALE_HALVED -> {
              skippedSteps++;
              LOG.debug("step {}: gradients not finite at loss scale {}: update skipped, scale halved", step, loss.lossScale());
              if (Float.isFinite(loss.data())) {
                // The forward pass is a measurement like any other: only the backward one overflowed.
                lossSum += (double) loss.data() * loss.images();
                images += loss.images();
              }
              progress.step(loss.images(), String.format("loss %.4f lr %.2e", lossSum / Math.max(1, images), lr));
            }
            case ROLL_BACK -> {
              // Back to the last checkpoint (weights and optimizer state), on with a smaller rate.
              String back = checkpoints.pointer(CheckpointStore.LATEST).orElseThrow();
              session.restore(run.checkpoints().resolve(back));
              LOG.warn("{} at step {} (epoch {}) on images {}: rolled back to {}, learning rate x{}",
                  nonFinite.failure(), step, epoch, batch.ids(), back,
                  String.format("%.3g", nonFinite.learningRateFactor()));
            }
            case STOP -> throw new IllegalStateException(
                nonFinite.failure() + " at step " + step + " (epoch " + epoch + ") on images "
                    + batch.ids() + "; the last good checkpoint is "
                    + checkpoints.pointer(CheckpointStore.LATEST).orElse("none")
                    + ". Lower optimizer.learning-rate or check these images' labels.");
            case TRAINED -> {
              // loss.images(), not batch.count(): with shards the batch is the chief's share only.
              lossSum += (double) loss.data() * loss.images();
              images += loss.images();
              progress.step(loss.images(), String.format("loss %.4f lr %.2e", lossSum / images, lr));
            }
          }
        }
      }
    }
    return new EpochPass(step - first, lossSum, images, loader.skipped(), skippedSteps);
  }

  /** How evaluation reads a split: in order, unflipped, unaugmented, in {@code eval.batch-size} batches. */
  public static BatchLoader.Options evalOptions(Experiment experiment) {
    Settings settings = experiment.settings();
    return new BatchLoader.Options(
        settings.eval().batchSize(), experiment.inputSize(), experiment.channels(), null, false, settings.data().prefetch());
  }

  /**
   * How epoch {@code epoch} reads the train split: the order, flips and augmentation follow from
   * the seed and the epoch alone, so every cluster task reading a shard agrees with the chief.
   */
  static BatchLoader.Options trainOptions(Experiment experiment, int epoch) {
    DataSettings data = experiment.settings().data();
    return new BatchLoader.Options(
        experiment.settings().train().batchSize(), experiment.inputSize(), experiment.channels(),
        experiment.seed() * 1_000_003L + epoch, data.hflip(), data.prefetch(),
        data.augment().withIgnoreId(experiment.classes().ignoreId()), data.skipBadSamples());
  }

  /** In process, or on the cluster's chief server (started here) when the experiment has a cluster. */
  private ModelSession openSession(SegmentationGraph graph) {
    Cluster cluster = experiment.cluster().orElse(null);
    if (cluster != null) {
      cluster.serve(experiment.devices());
    }
    return new ModelSession(graph, settings.runtime().engine(), cluster);
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
    Path path = settings.model().initFrom().orElse(null);
    if (path != null && !Files.isRegularFile(path)) {
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
              settings.model().initFromBgr(),
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
