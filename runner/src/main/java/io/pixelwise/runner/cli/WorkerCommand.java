package io.pixelwise.runner.cli;

import io.pixelwise.runner.engine.Cluster;
import io.pixelwise.runner.engine.Devices;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = "Serve one task of a training cluster (cluster.task-index 1..): a TensorFlow server that runs"
        + " its replicas of the chief's steps. Exits once the chief has been gone for"
        + " cluster.worker-exit-after-seconds.")
final class WorkerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

  @Mixin ConfigOptions config;

  @Override
  public Integer call() throws Exception {
    Setup setup = Setup.load(config);
    setup.prepareEngine();
    // Only the cluster and the devices: the model and the data are the chief's business.
    var devices = Devices.parse("runtime.devices", setup.config().getStringList("runtime.devices"));
    Cluster cluster = Cluster.fromConfig(setup.config().getConfig("cluster")).orElseThrow(() -> new IllegalArgumentException(
        "cluster.workers is empty: a worker serves a cluster, e.g. --set 'cluster.workers=[\"host1:2222\", \"host2:2222\"]'"
            + " --set cluster.task-index=1"));
    if (cluster.chief()) {
      throw new IllegalArgumentException(
          "cluster.task-index = 0 is the chief, which runs `pixelwise train`; give each worker its index 1.."
              + (cluster.workers().size() - 1));
    }
    cluster.serve(devices);
    LOG.info("worker task {} serving at {} for chief {}", cluster.task(), cluster.workers().get(cluster.task()),
        cluster.workers().get(0));
    cluster.awaitChiefGone();
    LOG.info("the chief {} is gone: worker task {} exits", cluster.workers().get(0), cluster.task());
    return 0;
  }
}
