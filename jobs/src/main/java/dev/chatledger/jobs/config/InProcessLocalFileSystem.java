package dev.chatledger.jobs.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) without a child process per file. Without Hadoop's
 * native library (not on Maven Central nor in Debian), {@link RawLocalFileSystem} runs
 * {@code chmod} for every file it creates and {@code readlink} for every rename: a JFR recording
 * of {@code chatledger demo} counted 7,446 processes started (4,511 chmod, 2,680 readlink). Here
 * both are done with {@code java.nio.file}; everything else is Hadoop's own code, checksums
 * included. Set for local runs only ({@link SparkSessions}): a cluster keeps its own settings.
 */
public final class InProcessLocalFileSystem extends LocalFileSystem {
  public InProcessLocalFileSystem() {
    super(new Raw());
  }

  /** The {@link org.apache.hadoop.fs.FileSystem} side: what {@link LocalFileSystem} checksums. */
  public static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      try {
        // "rwxr-x---": a sticky bit ("t") or a file system without POSIX attributes takes Hadoop's way
        Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(permission.toString()));
      } catch (IllegalArgumentException | UnsupportedOperationException notPosix) {
        super.setPermission(p, permission);
      }
    }

    /** A plain file's link status is its status: only a real symbolic link needs Hadoop's way. */
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (Files.isSymbolicLink(pathToFile(f).toPath())) {
        return super.getFileLinkStatus(f);
      }
      return getFileStatus(f);
    }
  }

  /**
   * The {@link org.apache.hadoop.fs.FileContext} side ({@code fs.AbstractFileSystem.file.impl}),
   * which Delta's log store writes commits through: Hadoop's {@code LocalFs} over {@link Raw}.
   */
  public static final class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** As Hadoop's {@code RawLocalFs}, over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1; // no port: local
    }

    @Override
    public org.apache.hadoop.fs.FsServerDefaults getServerDefaults(Path f) throws IOException {
      return org.apache.hadoop.fs.local.LocalConfigKeys.getServerDefaults();
    }

    @Override
    @SuppressWarnings("deprecation")
    public org.apache.hadoop.fs.FsServerDefaults getServerDefaults() throws IOException {
      return org.apache.hadoop.fs.local.LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true; // as RawLocalFs: any local path
    }
  }
}
