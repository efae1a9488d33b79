package io.pixelwise.datasets.synthetic;

import static io.pixelwise.datasets.StreetClasses.BUILDING;
import static io.pixelwise.datasets.StreetClasses.IGNORE;
import static io.pixelwise.datasets.StreetClasses.INFRASTRUCTURE;
import static io.pixelwise.datasets.StreetClasses.NATURE;
import static io.pixelwise.datasets.StreetClasses.PERSON;
import static io.pixelwise.datasets.StreetClasses.ROAD;
import static io.pixelwise.datasets.StreetClasses.SKY;
import static io.pixelwise.datasets.StreetClasses.VEHICLE;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Paints one street scene seen from a car: a road running to a vanishing point between sidewalks
 * and facades, sky above, and trees, poles with signs, pedestrians and cars placed in perspective.
 *
 * <p>The scenes are made to need a real model: every class comes in several colours, and colours
 * overlap across classes (grey cars on grey asphalt under grey facades and overcast skies, green
 * cars among trees, sky reflected in windows), so a pixel's colour alone does not tell its class;
 * shape, texture and position do. Everything derives from the seed, so a scene is reproducible.
 */
final class StreetSceneRenderer {
  private final int width;
  private final int height;

  StreetSceneRenderer(int width, int height) {
    this.width = width;
    this.height = height;
  }

  /** Renders the scene of {@code seed}; returns the canvas with colours and train ids. */
  Canvas render(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ValueNoise noise = new ValueNoise(random.nextLong());
    Canvas canvas = new Canvas(width, height);
    Scene scene = new Scene(random);

    paintSky(canvas, scene, random, noise);
    paintBuildings(canvas, scene, random, noise, true);
    paintBuildings(canvas, scene, random, noise, false);
    paintDistantBlock(canvas, scene, random, noise);
    paintGround(canvas, scene, random, noise);
    paintShadows(canvas, scene, random);
    paintObjects(canvas, scene, random, noise);
    if (random.nextDouble() < 0.5) {
      paintEgoVehicle(canvas, random, noise);
    }
    finish(canvas, random);
    return canvas;
  }

  /** The perspective layout shared by all painters, in pixels. */
  private final class Scene {
    final double horizon;
    final double vanishX;
    final double roadLeftBottom;
    final double roadRightBottom;
    /** Slope of the sidewalk's far edge (the facades' foot) away from the vanishing point. */
    final double footSlope;
    final boolean verge;

    Scene(SplittableRandom random) {
      horizon = height * random.nextDouble(0.34, 0.5);
      vanishX = width * random.nextDouble(0.35, 0.65);
      roadLeftBottom = width * random.nextDouble(-0.45, 0.15);
      roadRightBottom = width * random.nextDouble(0.85, 1.45);
      footSlope = (height - horizon) / width * random.nextDouble(0.35, 0.7);
      verge = random.nextDouble() < 0.4;
    }

    /** Depth 0 at the horizon to 1 at the bottom edge: image row of the ground at depth t. */
    double groundY(double t) {
      return horizon + t * (height - horizon);
    }

    double roadLeft(double t) {
      return vanishX + (roadLeftBottom - vanishX) * t;
    }

    double roadRight(double t) {
      return vanishX + (roadRightBottom - vanishX) * t;
    }

    double footY(double x) {
      return horizon + footSlope * Math.abs(x - vanishX);
    }
  }

  private void paintSky(Canvas canvas, Scene scene, SplittableRandom random, ValueNoise noise) {
    int kind = random.nextInt(3);
    int top =
        switch (kind) {
          case 0 -> Colors.jitter(Colors.rgb(60, 120, 200), 25, random); // clear
          case 1 -> Colors.jitter(Colors.rgb(160, 165, 172), 25, random); // overcast
          default -> Colors.jitter(Colors.rgb(90, 110, 170), 20, random); // dusk
        };
    int bottom =
        kind == 2
            ? Colors.jitter(Colors.rgb(230, 170, 120), 20, random)
            : Colors.offset(top, random.nextInt(20, 70));
    int cloud = Colors.jitter(Colors.rgb(235, 235, 240), 12, random);
    double cover = kind == 1 ? 0.35 : random.nextDouble(0.5, 0.8);
    double scale = width / random.nextDouble(3, 7);
    canvas.paint(
        new Rectangle2D.Double(0, 0, width, height),
        SKY,
        (x, y) -> {
          double t = Math.min(1, y / scene.horizon);
          int base = Colors.mix(top, bottom, t);
          double c = noise.fractal(x / scale, y / scale * 2.5, 4);
          return c > cover ? Colors.mix(base, cloud, Math.min(1, (c - cover) * 4)) : base;
        });
  }

  /** Facades along one side of the street, their tops and feet converging to the vanishing point. */
  private void paintBuildings(
      Canvas canvas, Scene scene, SplittableRandom random, ValueNoise noise, boolean left) {
    double near = left ? 0 : width;
    double far = scene.vanishX + (left ? -1 : 1) * width * 0.04;
    double x = near;
    while (left ? x < far : x > far) {
      double span = width * random.nextDouble(0.07, 0.26);
      double x1 = left ? Math.min(far, x + span) : Math.max(far, x - span);
      if (random.nextDouble() < 0.12) { // a gap: sky or a tree shows through
        x = x1;
        continue;
      }
      double rise = random.nextDouble(0.25, 1.6) * scene.horizon / width * 2;
      double base = height * random.nextDouble(0.02, 0.12);
      double xa = x;
      double xb = x1;
      double topA = scene.horizon - base - rise * Math.abs(xa - scene.vanishX);
      double topB = scene.horizon - base - rise * Math.abs(xb - scene.vanishX);
      double footA = scene.footY(xa);
      double footB = scene.footY(xb);
      Path2D.Double facade = new Path2D.Double();
      facade.moveTo(xa, topA);
      facade.lineTo(xb, topB);
      facade.lineTo(xb, footB + 1);
      facade.lineTo(xa, footA + 1);
      facade.closePath();
      int wall =
          Colors.jitter(
              Colors.pick(
                  random,
                  Colors.rgb(150, 150, 150),
                  Colors.rgb(105, 105, 110),
                  Colors.rgb(200, 185, 160),
                  Colors.rgb(160, 90, 70),
                  Colors.rgb(215, 210, 200),
                  Colors.rgb(120, 135, 120),
                  Colors.rgb(70, 70, 75)),
              18,
              random);
      int glass =
          random.nextBoolean()
              ? Colors.jitter(Colors.rgb(40, 45, 60), 15, random)
              : Colors.jitter(Colors.rgb(110, 150, 200), 25, random); // reflects the sky
      int columns = random.nextInt(2, 7);
      int floors = random.nextInt(3, 9);
      double windowWidth = random.nextDouble(0.35, 0.7);
      double texture = width / 40.0;
      canvas.paint(
          facade,
          BUILDING,
          (px, py) -> {
            double u = (px - xa) / (xb - xa);
            double top = topA + (topB - topA) * u;
            double foot = footA + (footB - footA) * u;
            double v = (py - top) / Math.max(1, foot - top);
            double cu = frac(u * columns);
            double cv = frac(v * floors);
            boolean window =
                v < 0.9 && Math.abs(cu - 0.5) < windowWidth / 2 && cv > 0.25 && cv < 0.75;
            double grain = (noise.fractal(px / texture, py / texture, 3) - 0.5) * 40;
            return Colors.offset(window ? glass : wall, grain);
          });
      x = x1;
    }
  }

  /** Low buildings across the end of the street, so the vanishing point is not always sky. */
  private void paintDistantBlock(
      Canvas canvas, Scene scene, SplittableRandom random, ValueNoise noise) {
    if (random.nextDouble() < 0.3) {
      return;
    }
    double halfWidth = width * random.nextDouble(0.05, 0.14);
    double rise = height * random.nextDouble(0.04, 0.12);
    int wall = Colors.jitter(Colors.rgb(140, 140, 145), 30, random);
    canvas.paint(
        new Rectangle2D.Double(
            scene.vanishX - halfWidth, scene.horizon - rise, 2 * halfWidth, rise + 1),
        BUILDING,
        (x, y) -> Colors.offset(wall, (noise.at(x / 2.0, y / 2.0) - 0.5) * 50));
  }

  /** Sidewalks (flat, so labelled road), the asphalt with lane marks, and grass verges. */
  private void paintGround(Canvas canvas, Scene scene, SplittableRandom random, ValueNoise noise) {
    Path2D.Double ground = new Path2D.Double();
    ground.moveTo(0, scene.footY(0));
    ground.lineTo(scene.vanishX, scene.horizon);
    ground.lineTo(width, scene.footY(width));
    ground.lineTo(width, height);
    ground.lineTo(0, height);
    ground.closePath();
    int paving =
        Colors.jitter(
            Colors.pick(random, Colors.rgb(165, 160, 150), Colors.rgb(130, 125, 125),
                Colors.rgb(185, 150, 130)),
            15,
            random);
    double tiles = random.nextDouble(6, 14);
    canvas.paint(
        ground,
        ROAD,
        (x, y) -> {
          double z = depth(scene, y);
          boolean joint = frac(tiles * z / 10) < 0.08 || frac((x - scene.vanishX) * z / width * 6) < 0.06;
          return Colors.offset(paving, (joint ? -25 : 0) + (noise.at(x / 1.5, y / 1.5) - 0.5) * 30);
        });

    int asphalt =
        Colors.jitter(
            Colors.pick(random, Colors.rgb(75, 75, 80), Colors.rgb(100, 98, 100),
                Colors.rgb(120, 118, 115)),
            12,
            random);
    int paint = random.nextDouble() < 0.8 ? Colors.rgb(225, 225, 220) : Colors.rgb(220, 190, 60);
    double dashes = random.nextDouble(3, 8);
    boolean centreLine = random.nextDouble() < 0.8;
    double laneShift = random.nextDouble(-0.15, 0.15);
    Path2D.Double road = new Path2D.Double();
    road.moveTo(scene.vanishX - 0.5, scene.horizon);
    road.lineTo(scene.vanishX + 0.5, scene.horizon);
    road.lineTo(scene.roadRightBottom, height);
    road.lineTo(scene.roadLeftBottom, height);
    road.closePath();
    double grainScale = width / 60.0;
    canvas.paint(
        road,
        ROAD,
        (x, y) -> {
          double t = (y + 0.5 - scene.horizon) / (height - scene.horizon);
          double left = scene.roadLeft(t);
          double right = scene.roadRight(t);
          double u = (x + 0.5 - left) / Math.max(1e-6, right - left);
          double grain = (noise.fractal(x / grainScale, y / grainScale, 3) - 0.5) * 35;
          boolean mark =
              centreLine
                  && Math.abs(u - 0.5 - laneShift) < 0.012 + 0.5 / Math.max(1, right - left)
                  && frac(dashes / Math.max(t, 1e-3)) < 0.5;
          return mark ? Colors.offset(paint, grain / 3) : Colors.offset(asphalt, grain);
        });

    if (scene.verge) {
      int grass = Colors.jitter(Colors.rgb(95, 130, 55), 20, random);
      double widthAtBottom = width * random.nextDouble(0.05, 0.15);
      for (boolean left : new boolean[] {true, false}) {
        double edge = left ? scene.roadLeftBottom : scene.roadRightBottom;
        Path2D.Double verge = new Path2D.Double();
        verge.moveTo(scene.vanishX, scene.horizon);
        verge.lineTo(edge, height);
        verge.lineTo(edge + (left ? -widthAtBottom : widthAtBottom), height);
        verge.closePath();
        canvas.paint(
            verge, NATURE, (x, y) -> Colors.offset(grass, (noise.at(x / 1.2, y / 1.2) - 0.5) * 45));
      }
    }
  }

  /** Cast shadows darken the ground without changing what it is. */
  private void paintShadows(Canvas canvas, Scene scene, SplittableRandom random) {
    int count = random.nextInt(0, 3);
    for (int i = 0; i < count; i++) {
      double x0 = width * random.nextDouble(-0.3, 0.9);
      double spread = width * random.nextDouble(0.15, 0.5);
      Path2D.Double shadow = new Path2D.Double();
      shadow.moveTo(x0, scene.horizon);
      shadow.lineTo(x0 + spread * 0.3, scene.horizon);
      shadow.lineTo(x0 + spread, height);
      shadow.lineTo(x0 - spread * 0.2, height);
      shadow.closePath();
      canvas.shade(shadow, random.nextDouble(0.55, 0.8));
    }
  }

  private record Placed(double depth, Runnable painter) {}

  /** Trees, poles, people and cars, painted far to near so that near ones occlude far ones. */
  private void paintObjects(Canvas canvas, Scene scene, SplittableRandom random, ValueNoise noise) {
    List<Placed> objects = new ArrayList<>();
    int trees = random.nextInt(0, 5);
    for (int i = 0; i < trees; i++) {
      double t = random.nextDouble(0.08, 0.7);
      double x = sidewalkX(scene, t, random, 0.02, 0.25);
      long seed = random.nextLong();
      objects.add(new Placed(t, () -> paintTree(canvas, scene, t, x, new SplittableRandom(seed), noise)));
    }
    int poles = random.nextInt(1, 5);
    for (int i = 0; i < poles; i++) {
      double t = random.nextDouble(0.2, 0.8);
      double x = sidewalkX(scene, t, random, 0.01, 0.06);
      long seed = random.nextLong();
      objects.add(new Placed(t, () -> paintPole(canvas, scene, t, x, new SplittableRandom(seed))));
    }
    int people = random.nextInt(0, 6);
    for (int i = 0; i < people; i++) {
      double t = random.nextDouble(0.2, 0.7);
      boolean crossing = random.nextDouble() < 0.2;
      double x =
          crossing
              ? scene.roadLeft(t) + (scene.roadRight(t) - scene.roadLeft(t)) * random.nextDouble(0.1, 0.9)
              : sidewalkX(scene, t, random, 0.03, 0.2);
      long seed = random.nextLong();
      objects.add(new Placed(t, () -> paintPerson(canvas, scene, t, x, new SplittableRandom(seed))));
    }
    int cars = random.nextInt(0, 5);
    for (int i = 0; i < cars; i++) {
      double t = random.nextDouble(0.08, 0.85);
      double u = random.nextDouble(0.05, 0.95);
      double x = scene.roadLeft(t) + (scene.roadRight(t) - scene.roadLeft(t)) * u;
      long seed = random.nextLong();
      objects.add(new Placed(t, () -> paintCar(canvas, scene, t, x, new SplittableRandom(seed), noise)));
    }
    objects.sort(Comparator.comparingDouble(Placed::depth));
    objects.forEach(o -> o.painter().run());
  }

  /** An x on the left or right sidewalk at depth t, {@code min..max} road-widths from the kerb. */
  private static double sidewalkX(
      Scene scene, double t, SplittableRandom random, double min, double max) {
    double roadWidth = scene.roadRight(t) - scene.roadLeft(t);
    double offset = roadWidth * random.nextDouble(min, max);
    return random.nextBoolean() ? scene.roadLeft(t) - offset : scene.roadRight(t) + offset;
  }

  private void paintTree(
      Canvas canvas, Scene scene, double t, double x, SplittableRandom random, ValueNoise noise) {
    double foot = scene.groundY(t);
    double size = t * height;
    double radius = size * random.nextDouble(0.35, 0.6);
    double trunkHeight = size * random.nextDouble(0.5, 0.9);
    double trunkWidth = Math.max(1.5, radius * 0.18);
    int bark = Colors.jitter(Colors.rgb(85, 65, 45), 15, random);
    canvas.paint(
        new Rectangle2D.Double(x - trunkWidth / 2, foot - trunkHeight, trunkWidth, trunkHeight),
        NATURE,
        (px, py) -> Colors.offset(bark, (noise.at(px * 1.3, py * 0.4) - 0.5) * 30));
    int leaves =
        Colors.jitter(
            Colors.pick(random, Colors.rgb(70, 110, 40), Colors.rgb(50, 80, 35),
                Colors.rgb(120, 140, 60), Colors.rgb(160, 120, 50)),
            18,
            random);
    double cx = x;
    double cy = foot - trunkHeight - radius * 0.6;
    double leafScale = Math.max(1.0, radius / 4);
    canvas.paint(
        new Ellipse2D.Double(cx - radius * 1.3, cy - radius * 1.3, radius * 2.6, radius * 2.6),
        (px, py) -> {
          double d = Math.hypot(px + 0.5 - cx, (py + 0.5 - cy) * 1.1) / radius;
          return d < 0.75 + 0.5 * (noise.fractal(px / leafScale, py / leafScale, 2) - 0.35);
        },
        NATURE,
        (px, py) -> Colors.offset(leaves, (noise.at(px / 0.8, py / 0.8) - 0.5) * 60));
  }

  private void paintPole(Canvas canvas, Scene scene, double t, double x, SplittableRandom random) {
    double foot = scene.groundY(t);
    double tall = t * height * random.nextDouble(1.3, 2.2);
    double thick = Math.max(3.0, t * width * 0.045);
    int metal =
        Colors.jitter(
            Colors.pick(random, Colors.rgb(90, 95, 100), Colors.rgb(60, 65, 60),
                Colors.rgb(150, 150, 145)),
            12,
            random);
    canvas.paint(
        new Rectangle2D.Double(x - thick / 2, foot - tall, thick, tall),
        INFRASTRUCTURE,
        (px, py) -> Colors.offset(metal, (px - x) / thick * -30));
    double size = Math.max(6, thick * random.nextDouble(2.5, 4));
    double top = foot - tall;
    switch (random.nextInt(4)) {
      case 0 -> { // prohibition sign
        canvas.paint(new Ellipse2D.Double(x - size / 2, top, size, size), INFRASTRUCTURE,
            (px, py) -> Colors.rgb(200, 30, 30));
        double inner = size * 0.6;
        canvas.paint(
            new Ellipse2D.Double(x - inner / 2, top + (size - inner) / 2, inner, inner),
            INFRASTRUCTURE, (px, py) -> Colors.rgb(235, 235, 235));
      }
      case 1 -> // information sign
          canvas.paint(new Rectangle2D.Double(x - size / 2, top, size, size * 0.8), INFRASTRUCTURE,
              (px, py) -> Colors.rgb(30, 80, 170));
      case 2 -> { // traffic light
        double w = size * 0.55;
        double h = size * 1.5;
        int lit = random.nextInt(3);
        canvas.paint(new RoundRectangle2D.Double(x - w / 2, top, w, h, w / 3, w / 3),
            INFRASTRUCTURE,
            (px, py) -> {
              int lamp = (int) ((py - top) / h * 3);
              boolean on = lamp == lit && Math.abs(px + 0.5 - x) < w * 0.3;
              int[] colours = {Colors.rgb(230, 40, 30), Colors.rgb(240, 190, 30), Colors.rgb(40, 200, 80)};
              return on ? colours[Math.max(0, Math.min(2, lamp))] : Colors.rgb(30, 30, 30);
            });
      }
      default -> { // street lamp arm
        double reach = size * 1.2 * (x < scene.vanishX ? 1 : -1);
        canvas.paint(
            new Rectangle2D.Double(Math.min(x, x + reach), top, Math.abs(reach), thick * 0.8),
            INFRASTRUCTURE, (px, py) -> metal);
      }
    }
  }

  private void paintPerson(Canvas canvas, Scene scene, double t, double x, SplittableRandom random) {
    double foot = scene.groundY(t);
    double tall = t * height * random.nextDouble(0.7, 0.95);
    double shoulders = tall * random.nextDouble(0.28, 0.36);
    int skin = Colors.jitter(Colors.pick(random, Colors.rgb(230, 190, 160), Colors.rgb(150, 100, 70),
        Colors.rgb(90, 60, 45)), 10, random);
    int shirt = Colors.rgb(random.nextInt(20, 240), random.nextInt(20, 240), random.nextInt(20, 240));
    int trousers = Colors.jitter(Colors.pick(random, Colors.rgb(40, 40, 50), Colors.rgb(50, 70, 120),
        Colors.rgb(120, 110, 90)), 15, random);
    double head = tall * 0.14;
    double stride = random.nextDouble(0, 0.35);
    double legTop = foot - tall * 0.47;
    double legWidth = shoulders * 0.38;
    Path2D.Double legs = new Path2D.Double();
    legs.moveTo(x - legWidth, legTop);
    legs.lineTo(x - legWidth - stride * tall * 0.3, foot);
    legs.lineTo(x - stride * tall * 0.3, foot);
    legs.lineTo(x, legTop + tall * 0.1);
    legs.lineTo(x + stride * tall * 0.3, foot);
    legs.lineTo(x + legWidth + stride * tall * 0.3, foot);
    legs.lineTo(x + legWidth, legTop);
    legs.closePath();
    canvas.paint(legs, PERSON, (px, py) -> trousers);
    canvas.paint(
        new RoundRectangle2D.Double(x - shoulders / 2, foot - tall + head, shoulders, tall * 0.42,
            shoulders / 2, shoulders / 2),
        PERSON,
        (px, py) -> Colors.offset(shirt, (px - x) / shoulders * -40));
    canvas.paint(new Ellipse2D.Double(x - head * 0.45, foot - tall, head * 0.9, head * 1.05), PERSON,
        (px, py) -> skin);
  }

  private void paintCar(
      Canvas canvas, Scene scene, double t, double x, SplittableRandom random, ValueNoise noise) {
    double foot = scene.groundY(t);
    double carWidth = t * width * random.nextDouble(0.32, 0.45);
    double bodyHeight = carWidth * random.nextDouble(0.3, 0.4);
    boolean van = random.nextDouble() < 0.2;
    double cabinHeight = carWidth * random.nextDouble(0.2, 0.3) * (van ? 1.8 : 1);
    int paint =
        Colors.jitter(
            Colors.pick(random, Colors.rgb(200, 200, 205), Colors.rgb(110, 110, 115),
                Colors.rgb(30, 30, 35), Colors.rgb(170, 30, 30), Colors.rgb(40, 60, 140),
                Colors.rgb(60, 100, 60), Colors.rgb(230, 230, 225), Colors.rgb(200, 160, 40)),
            15,
            random);
    int glassColour = Colors.jitter(Colors.rgb(50, 60, 75), 15, random);
    double left = x - carWidth / 2;
    double bodyTop = foot - bodyHeight;
    double wheel = bodyHeight * 0.55;
    for (double wx : new double[] {left + carWidth * 0.08, left + carWidth * 0.92 - wheel}) {
      canvas.paint(new Ellipse2D.Double(wx, foot - wheel * 0.8, wheel, wheel * 0.8), VEHICLE,
          (px, py) -> Colors.rgb(20, 20, 22));
    }
    double inset = van ? carWidth * 0.04 : carWidth * 0.15;
    Path2D.Double cabin = new Path2D.Double();
    cabin.moveTo(left + inset, bodyTop + 1);
    cabin.lineTo(left + inset + carWidth * 0.08, bodyTop - cabinHeight);
    cabin.lineTo(left + carWidth - inset - carWidth * 0.08, bodyTop - cabinHeight);
    cabin.lineTo(left + carWidth - inset, bodyTop + 1);
    cabin.closePath();
    double frame = Math.max(1, carWidth * 0.03);
    canvas.paint(
        cabin,
        VEHICLE,
        (px, py) -> {
          boolean glass = py > bodyTop - cabinHeight + frame && px > left + inset + frame * 2
              && px < left + carWidth - inset - frame * 2;
          return glass ? Colors.offset(glassColour, (noise.at(px / 3.0, py / 3.0) - 0.5) * 40) : paint;
        });
    canvas.paint(
        new RoundRectangle2D.Double(left, bodyTop, carWidth, bodyHeight - wheel * 0.3,
            carWidth * 0.08, carWidth * 0.08),
        VEHICLE,
        (px, py) -> {
          double v = (py - bodyTop) / bodyHeight;
          double u = (px - left) / carWidth;
          boolean lamp = v > 0.15 && v < 0.4 && (u < 0.12 || u > 0.88);
          if (lamp) {
            return Colors.rgb(240, 230, 190);
          }
          return Colors.offset(paint, (0.5 - v) * 50 + (v > 0.55 && v < 0.6 ? -40 : 0));
        });
  }

  /** The bonnet of the recording car at the bottom edge: not part of the scene, so ignored. */
  private void paintEgoVehicle(Canvas canvas, SplittableRandom random, ValueNoise noise) {
    double rise = height * random.nextDouble(0.08, 0.16);
    int body = Colors.jitter(Colors.rgb(40, 40, 45), 15, random);
    canvas.paint(
        new Ellipse2D.Double(-width * 0.2, height - rise, width * 1.4, rise * 3),
        IGNORE,
        (x, y) -> Colors.offset(body, (noise.at(x / 6.0, y / 2.0) - 0.5) * 30));
  }

  /** Exposure, white balance and sensor noise, so that absolute colours cannot be memorised. */
  private void finish(Canvas canvas, SplittableRandom random) {
    double gain = random.nextDouble(0.7, 1.25);
    double r = gain * random.nextDouble(0.9, 1.1);
    double g = gain * random.nextDouble(0.9, 1.1);
    double b = gain * random.nextDouble(0.9, 1.1);
    double sigma = random.nextDouble(2, 8);
    for (int i = 0; i < canvas.rgb.length; i++) {
      int c = canvas.rgb[i];
      double n = random.nextGaussian() * sigma;
      canvas.rgb[i] =
          Colors.rgb(Colors.red(c) * r + n, Colors.green(c) * g + n, Colors.blue(c) * b + n);
    }
  }

  /** Distance along the ground for an image row below the horizon, 1 at the bottom edge. */
  private double depth(Scene scene, int y) {
    double t = (y + 0.5 - scene.horizon) / (height - scene.horizon);
    return 1 / Math.max(t, 1e-3);
  }

  private static double frac(double v) {
    return v - Math.floor(v);
  }
}
