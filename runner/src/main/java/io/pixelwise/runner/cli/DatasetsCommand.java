package io.pixelwise.runner.cli;

import io.pixelwise.api.data.ClassInfo;
import io.pixelwise.api.data.Sample;
import io.pixelwise.api.data.SampleSource;
import io.pixelwise.api.data.Split;
import io.pixelwise.engine.output.Json;
import io.pixelwise.engine.output.Progress;
import io.pixelwise.runner.train.Experiment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code datasets stats|prepare CONF}: look at a dataset, or preprocess it into the cache. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Inspect or prepare the configured dataset.",
    subcommands = {DatasetsCommand.Stats.class, DatasetsCommand.Prepare.class})
final class DatasetsCommand {

  @Command(name = "stats", mixinStandardHelpOptions = true,
      description = "Print JSON with the image count per split and the pixel count per class (after label mapping).")
  static final class Stats implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Override
    public Integer call() throws Exception {
      Experiment experiment = Setup.load(config).experiment();
      ClassInfo classes = experiment.classes();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("classes", classes.names());
      ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
      try {
        for (Split split : Split.values()) {
          SampleSource source;
          try {
            source = experiment.dataset().split(split);
          } catch (IllegalArgumentException absent) {
            out.put(split.label(), Map.of("absent", absent.getMessage()));
            continue;
          }
          out.put(split.label(), count(source, classes, split, workers));
        }
      } finally {
        workers.shutdownNow();
      }
      System.out.print(Json.render(out));
      return 0;
    }

    private static Map<String, Object> count(SampleSource source, ClassInfo classes, Split split, ExecutorService workers)
        throws Exception {
      long[] pixels = new long[256];
      long unlabelled = 0;
      List<Future<Sample>> pending = new ArrayList<>();
      try (Progress progress = Progress.start("stats " + split.label(), source.size())) {
        for (int i = 0; i < source.size(); i++) {
          int index = i;
          pending.add(workers.submit(() -> source.load(index)));
          if (pending.size() == 16 || i == source.size() - 1) {
            for (Future<Sample> f : pending) {
              Sample s = f.get();
              if (s.labels() == null) {
                unlabelled++;
              } else {
                for (byte id : s.labels().ids()) {
                  pixels[id & 0xff]++;
                }
              }
              progress.step(1, s.id());
            }
            pending.clear();
          }
        }
      }
      Map<String, Object> perClass = new LinkedHashMap<>();
      long other = 0;
      for (int id = 0; id < 256; id++) {
        if (id < classes.size()) {
          perClass.put(classes.name(id), pixels[id]);
        } else if (id != classes.ignoreId()) {
          other += pixels[id];
        }
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("images", source.size());
      result.put("unlabelled_images", unlabelled);
      result.put("pixels", perClass);
      result.put("ignore", pixels[classes.ignoreId()]);
      if (other > 0) {
        // A dataset plugin must map every pixel to a class or ignore; say so rather than hide it.
        result.put("outside_label_set", other);
      }
      return result;
    }
  }

  @Command(name = "prepare", mixinStandardHelpOptions = true,
      description = "Build the preprocessed cache (data.cache-dir) of every split at the configured input size.")
  static final class Prepare implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Override
    public Integer call() throws Exception {
      Setup setup = Setup.load(config);
      Experiment experiment = setup.experiment();
      ExecutorService workers = Executors.newFixedThreadPool(setup.settings().data().workers());
      try {
        for (Split split : Split.values()) {
          SampleSource cached;
          try {
            cached = experiment.samplesCached(split, workers);
          } catch (IllegalArgumentException absent) {
            System.out.printf("%s: not cached (%s)%n", split.label(), absent.getMessage());
            continue;
          }
          System.out.printf("%s: %d images cached%n", split.label(), cached.size());
        }
      } finally {
        workers.shutdownNow();
      }
      return 0;
    }
  }
}
