package io.pixelwise.imaging;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system's libdeflate (Debian/Ubuntu {@code libdeflate0}, Fedora {@code libdeflate}, Homebrew
 * {@code libdeflate}), called through JNA. It inflates the zlib streams of PNGs about twice as fast
 * as zlib, which both ImageIO and TensorFlow's libpng use, and inflating is most of what decoding a
 * full-resolution PNG costs. No Java binding of it is published; JNA needs no compiled glue.
 */
final class LibDeflate {
  private static final Logger log = LoggerFactory.getLogger(LibDeflate.class);

  /** The functions of libdeflate.h used here; {@code size_t} is {@code long} on LP64 systems. */
  interface Functions extends Library {
    Pointer libdeflate_alloc_decompressor();

    int libdeflate_zlib_decompress(
        Pointer decompressor, Pointer in, NativeLong inBytes, Pointer out, NativeLong outBytes, NativeLongByReference actualOut);
  }

  /** libdeflate_result values. */
  static final int SUCCESS = 0;
  static final int BAD_DATA = 1;
  static final int INSUFFICIENT_SPACE = 3;

  private static final Optional<Functions> FUNCTIONS = load();

  private static Optional<Functions> load() {
    try {
      if (Native.POINTER_SIZE != 8 || com.sun.jna.Platform.isWindows()) {
        return Optional.empty(); // size_t as NativeLong holds on LP64 only
      }
      for (String name : new String[] {"deflate", "libdeflate.so.0"}) {
        try {
          Functions functions = Native.load(name, Functions.class);
          log.debug("PNGs are inflated by libdeflate ({})", name);
          return Optional.of(functions);
        } catch (UnsatisfiedLinkError e) {
          log.trace("no libdeflate as {}: {}", name, e.getMessage());
        }
      }
    } catch (LinkageError e) {
      // JNA's own native part could not load (e.g. a temporary folder mounted noexec): the
      // decoders without libdeflate still work.
      log.warn("JNA cannot load its native library ({}): PNGs are decoded without libdeflate", e.toString());
    }
    return Optional.empty();
  }

  static boolean available() {
    return FUNCTIONS.isPresent();
  }

  /** A decompressor and its buffers per loader thread: libdeflate's decompressors are not shared. */
  private static final ThreadLocal<LibDeflate> PER_THREAD = ThreadLocal.withInitial(LibDeflate::new);

  static LibDeflate forThisThread() {
    return PER_THREAD.get();
  }

  private final Pointer decompressor;
  private Memory in = new Memory(1 << 20);
  private Memory out = new Memory(1 << 20);

  private LibDeflate() {
    decompressor = FUNCTIONS.orElseThrow().libdeflate_alloc_decompressor();
    if (decompressor == null) {
      throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
    }
  }

  /** The native input buffer, at least {@code bytes} long (its contents are lost on growing). */
  Memory input(long bytes) {
    if (in.size() < bytes) {
      in.close();
      in = new Memory(Math.max(bytes, in.size() * 2));
    }
    return in;
  }

  /**
   * Inflates the first {@code inBytes} of {@link #input} into exactly {@code outBytes} bytes.
   *
   * @return the inflated bytes, in native memory valid until this thread's next call
   * @throws IllegalArgumentException naming what is wrong with the stream
   */
  Memory inflate(long inBytes, int outBytes) {
    if (out.size() < outBytes) {
      out.close();
      out = new Memory(Math.max(outBytes, out.size() * 2));
    }
    NativeLongByReference actual = new NativeLongByReference();
    int result = FUNCTIONS.orElseThrow().libdeflate_zlib_decompress(
        decompressor, in, new NativeLong(inBytes), out, new NativeLong(outBytes), actual);
    switch (result) {
      case SUCCESS -> {
        if (actual.getValue().longValue() != outBytes) {
          throw new IllegalArgumentException(
              "image data ends after " + actual.getValue() + " of " + outBytes + " bytes (truncated?)");
        }
      }
      case INSUFFICIENT_SPACE -> throw new IllegalArgumentException(
          "image data holds more than the " + outBytes + " bytes its header declares");
      case BAD_DATA -> throw new IllegalArgumentException("image data is not a valid zlib stream (corrupt or truncated?)");
      default -> throw new IllegalArgumentException("libdeflate failed with result " + result);
    }
    return out;
  }
}
