package io.pixelwise.runner.cli;

import io.pixelwise.engine.Cluster;
import io.pixelwise.runner.train.Experiment;
import io.pixelwise.runner.train.ShardWorker;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Serve one task of a training cluster (cluster.task-index 1..): a TensorFlow server that runs"
        + " its replicas of the chief's steps and, with cluster.input = shards, reads their share of every batch."
        + " Exits once the chief has been gone for cluster.worker-exit-after-seconds.")
final class WorkerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

  @Mixin ConfigOptions config;

  private static void daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public Integer call() throws Exception {
    Setup setup = Setup.load(config);
    setup.prepareEngine();
    // The cluster and the devices, and the data with shards: the model is the chief's business.
    var devices = setup.settings().runtime().engine().replicas();
    Cluster cluster = setup.settings().cluster().orElseThrow(() -> new IllegalArgumentException(
        "cluster.workers is empty: a worker serves a cluster, e.g. --set 'cluster.workers=[\"host1:2222\", \"host2:2222\"]'"
            + " --set cluster.task-index=1"));
    if (cluster.chief()) {
      throw new IllegalArgumentException(
          "cluster.task-index = 0 is the chief, which runs `pixelwise train`; give each worker its index 1.."
              + (cluster.workers().size() - 1));
    }
    // Built before the server starts: a dataset that cannot be opened stops this worker at once.
    Experiment experiment = cluster.readsShards() ? setup.experiment() : null;
    cluster.serve(devices);
    LOG.info("worker task {} serving at {} for chief {}", cluster.task(), cluster.workers().get(cluster.task()),
        cluster.workers().get(0));
    // Whichever comes first: the chief gone (null), or this worker unable to feed its shards.
    CompletableFuture<Throwable> end = new CompletableFuture<>();
    daemon("pixelwise-chief-watch", () -> {
      try {
        cluster.awaitChiefGone();
        end.complete(null);
      } catch (InterruptedException e) {
        end.complete(e);
      }
    });
    if (experiment != null) {
      daemon("pixelwise-shards", () -> {
        try {
          new ShardWorker(experiment, cluster).run();
        } catch (Throwable e) {
          end.complete(e);
        }
      });
    }
    Throwable failure = end.get();
    if (failure != null) {
      // Exiting ends this task's server too: the chief's step fails and it stops with the resume hint.
      if (failure instanceof Exception e) {
        throw e;
      }
      throw new IllegalStateException(failure);
    }
    LOG.info("the chief {} is gone: worker task {} exits", cluster.workers().get(0), cluster.task());
    return 0;
  }
}
