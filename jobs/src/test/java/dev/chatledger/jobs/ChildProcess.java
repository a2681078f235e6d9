package dev.chatledger.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts tools the tests drive from outside the test JVM: chatledger JVMs, Jupyter, Chromium. */
public final class ChildProcess {
  /** The jobs module's folder (surefire runs there); the repository root is its parent. */
  public static final Path MODULE = Path.of("").toAbsolutePath();
  public static final Path REPOSITORY = MODULE.getParent();

  public record Result(int exitCode, String output, long millis) {}

  private ChildProcess() {}

  /** A `java` command line with chatledger's runtime classpath and Spark's JVM options. */
  public static List<String> chatledgerJvm(String heap, String mainClass, String... args) {
    return jvm(MODULE.resolve("target/classes") + java.io.File.pathSeparator + read(MODULE.resolve("target/classpath.txt")),
        heap, mainClass, args);
  }

  /** A `java` command line with the Spark Connect client's classpath (its own module: see its pom). */
  public static List<String> connectClientJvm(String mainClass, String... args) {
    Path module = REPOSITORY.resolve("connect-client");
    return jvm(module.resolve("target/classes") + java.io.File.pathSeparator + read(module.resolve("target/classpath.txt")),
        "-Xmx512m", mainClass, args);
  }

  private static List<String> jvm(String classpath, String heap, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(heap);
    cmd.addAll(Arrays.asList(read(MODULE.resolve("target/jvm.options")).split("\\s+")));
    cmd.add("-Dderby.stream.error.file=/dev/null");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** Runs a command to completion (stdout and stderr together), killing it after the timeout. */
  public static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) {
    long start = System.nanoTime();
    try {
      Path log = Files.createTempFile("chatledger-child", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
        throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command + "\n" + Files.readString(log));
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Files.delete(log);
      return new Result(p.exitValue(), out, (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is missing: run the tests through Maven (./run-tests)", e);
    }
  }
}
