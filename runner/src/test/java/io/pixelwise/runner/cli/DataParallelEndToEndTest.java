package io.pixelwise.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runtime.devices} from the command line: a run on two CPU devices trains like the same run
 * on one. (The exact equality is shown by the engine's DataParallelTest on images with equal
 * labelled-pixel counts; synthetic scenes ignore a bonnet of varying height, so here the
 * replicas' image-weighted mean of per-replica pixel means is only close to the batch's pixel mean.)
 */
class DataParallelEndToEndTest {
  private static final String RECIPE = Path.of("..", "conf", "synthetic-simple.conf").toString();
  @TempDir Path temp;

  private CommandLineEndToEndTest.Result train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", RECIPE, "--out", out.toString(),
        "--set", "data.height=32", "--set", "data.width=64",
        "--set", "datasets.synthetic-streets.train-size=12", "--set", "datasets.synthetic-streets.val-size=4",
        "--set", "train.epochs=2", "--set", "train.batch-size=5", "--set", "output.pictures=false",
        "--set", "output.tensorboard=false"));
    for (String e : extra) {
      args.add("--set");
      args.add(e);
    }
    return CommandLineEndToEndTest.main(args.toArray(String[]::new));
  }

  @Test
  void twoCpuDevicesTrainLikeOne() throws Exception {
    var one = train(temp.resolve("one"));
    assertEquals(0, one.status(), one.err());
    // 12 images in batches of 5: 5 + 5 + 2, so the short last batch is split too (3 + 2, 1 + 1).
    var two = train(temp.resolve("two"), "runtime.devices=[\"cpu:0\", \"cpu:1\"]");
    assertEquals(0, two.status(), two.err());
    String log = Files.readString(temp.resolve("two/train.log"));
    assertTrue(log.contains("split over 2 replicas"), log);
    Config a = ConfigFactory.parseFile(temp.resolve("one/metrics.json").toFile());
    Config b = ConfigFactory.parseFile(temp.resolve("two/metrics.json").toFile());
    for (int e = 0; e < 2; e++) {
      double la = a.getConfigList("epochs").get(e).getDouble("val_loss");
      double lb = b.getConfigList("epochs").get(e).getDouble("val_loss");
      assertTrue(Double.isFinite(lb));
      assertEquals(la, lb, 0.02 * la, "validation loss after epoch " + (e + 1));
    }
  }

  @Test
  void badDeviceListsStopBeforeTraining() {
    var r = train(temp.resolve("bad"), "runtime.devices=[\"cpu:0\", \"tpu:1\"]");
    assertNotEquals(0, r.status());
    assertTrue(r.err().contains("runtime.devices") && r.err().contains("tpu:1"), r.err());
    r = train(temp.resolve("small"), "runtime.devices=[\"cpu:0\", \"cpu:1\"]", "train.batch-size=1");
    assertNotEquals(0, r.status());
    assertTrue(r.err().contains("train.batch-size = 1"), r.err());
    assertTrue(!Files.exists(temp.resolve("small/checkpoints")), "no run folder work before the config is checked");
  }
}
