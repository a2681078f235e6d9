package dev.chatledger.jobs.ops;

import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per warehouse: a lock file {@code _chatledger/writer.lock} created exclusively, with
 * the holder's run id, host and pid, and touched every {@link #HEARTBEAT} while held. A lock whose
 * holder is a dead process on this host, or whose heartbeat is older than {@link #STALE_AFTER}
 * (a crashed run elsewhere), is taken over, so a crash never blocks the next night for long.
 * Exclusive create is atomic on local and HDFS file systems; object stores need an external lock.
 */
public final class WriterLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriterLock.class);
  static final Duration HEARTBEAT = Duration.ofSeconds(30);
  static final Duration STALE_AFTER = Duration.ofMinutes(5);

  /** Another run holds the warehouse (exit code 4). */
  public static final class Busy extends RuntimeException {
    public Busy(String message) {
      super(message);
    }
  }

  private final FileSystem fs;
  private final Path path;
  private final ScheduledExecutorService heartbeat;

  private WriterLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "chatledger-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(this::touch, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Takes the warehouse's writer lock for {@code runId}, or throws {@link Busy}. */
  public static WriterLock acquire(Warehouse warehouse, String runId) {
    Path path = new Path(warehouse.root() + "/_chatledger/writer.lock");
    try {
      FileSystem fs = path.getFileSystem(warehouse.spark().sparkContext().hadoopConfiguration());
      for (int attempt = 0; attempt < 2; attempt++) {
        if (tryCreate(fs, path, runId)) {
          return new WriterLock(fs, path);
        }
        Optional<String> stale = staleReason(fs, path);
        if (stale.isEmpty()) {
          throw new Busy("warehouse " + warehouse.root() + " is being written by another run ("
              + describe(fs, path) + "); try again when it has finished");
        }
        LOG.warn("taking over a stale writer lock ({}): {}", stale.get(), describe(fs, path));
        fs.delete(path, false);
      }
      throw new Busy("could not take the writer lock of " + warehouse.root() + ": another run took it first");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock warehouse " + warehouse.root() + ": " + e.getMessage(), e);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path path, String runId) throws IOException {
    Properties p = new Properties();
    p.setProperty("run_id", runId);
    p.setProperty("host", host());
    p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    p.setProperty("started_at", Instant.now().toString());
    try (FSDataOutputStream out = fs.create(path, false)) {
      p.store(out, "chatledger writer lock");
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (fs.exists(path)) {
        return false; // some file systems report "exists" as a plain IOException
      }
      throw e;
    }
  }

  private static Properties read(FileSystem fs, Path path) throws IOException {
    Properties p = new Properties();
    try (var in = fs.open(path)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (java.io.FileNotFoundException e) {
      // released meanwhile
    }
    return p;
  }

  private static Optional<String> staleReason(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      return Optional.of("released");
    }
    Properties p = read(fs, path);
    if (host().equals(p.getProperty("host")) && p.getProperty("pid") != null) {
      long pid = Long.parseLong(p.getProperty("pid"));
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.empty(); // alive on this host: busy, whatever its heartbeat says
      }
      return Optional.of("process " + pid + " on this host has ended");
    }
    long age = System.currentTimeMillis() - fs.getFileStatus(path).getModificationTime();
    return age > STALE_AFTER.toMillis() ? Optional.of("no heartbeat for " + age / 1000 + " s") : Optional.empty();
  }

  private static String describe(FileSystem fs, Path path) throws IOException {
    Properties p = read(fs, path);
    return "run " + p.getProperty("run_id") + " on " + p.getProperty("host") + " pid " + p.getProperty("pid")
        + " since " + p.getProperty("started_at");
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private void touch() {
    try {
      fs.setTimes(path, System.currentTimeMillis(), -1);
    } catch (IOException e) {
      LOG.warn("writer lock heartbeat failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the writer lock " + path + ": " + e.getMessage(), e);
    }
  }
}
