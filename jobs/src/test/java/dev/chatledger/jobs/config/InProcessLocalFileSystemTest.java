package dev.chatledger.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatledger.jobs.SparkTestSupport;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local session's file: file system: Hadoop's permissions and links, without child processes. */
class InProcessLocalFileSystemTest extends SparkTestSupport {
  @TempDir java.nio.file.Path dir;

  @Test
  void theLocalSessionWritesDeltaThroughItWithHadoopsPermissionsAndLinkStatuses() throws Exception {
    var conf = SPARK.sparkContext().hadoopConfiguration();
    FileSystem fs = FileSystem.get(dir.toUri(), conf);
    assertThat(fs).isInstanceOf(InProcessLocalFileSystem.class);
    assertThat(FileContext.getFileContext(dir.toUri(), conf).getDefaultFileSystem())
        .isInstanceOf(InProcessLocalFileSystem.Fs.class);

    Path file = new Path(dir.resolve("a.txt").toUri());
    fs.create(file, FsPermission.createImmutable((short) 0640), false, 4096, (short) 1, 1 << 20, null).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.txt")))).isEqualTo("rw-r-----");
    fs.setPermission(file, FsPermission.createImmutable((short) 0705));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.txt")))).isEqualTo("rwx---r-x");
    assertThat(fs.getFileStatus(file).getPermission().toShort()).isEqualTo((short) 0705);

    // link statuses as Hadoop's own local file system gives them (which runs readlink for each)
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a.txt"));
    org.apache.hadoop.fs.LocalFileSystem hadoops = new org.apache.hadoop.fs.LocalFileSystem();
    hadoops.initialize(java.net.URI.create("file:///"), conf);
    for (String name : new String[] {"a.txt", "link"}) {
      Path p = new Path(dir.resolve(name).toUri());
      FileStatus ours = fs.getFileLinkStatus(p);
      FileStatus theirs = hadoops.getFileLinkStatus(p);
      assertThat(ours.isSymlink()).as(name).isEqualTo(theirs.isSymlink());
      assertThat(ours.isFile()).as(name).isEqualTo(theirs.isFile());
      assertThat(ours.getLen()).as(name).isEqualTo(theirs.getLen());
      assertThat(ours.getPermission()).as(name).isEqualTo(theirs.getPermission());
      assertThat(ours.getPath()).as(name).isEqualTo(theirs.getPath());
    }
    assertThat(fs.getFileLinkStatus(file).isFile()).isTrue();
    assertThatThrownBy(() -> fs.getFileLinkStatus(new Path(dir.resolve("none").toUri())))
        .isInstanceOf(FileNotFoundException.class);
    // a rename that must not overwrite (FileContext's, as Delta's log store commits) still refuses
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf);
    fs.create(new Path(dir.resolve("b.txt").toUri())).close();
    assertThatThrownBy(() -> fc.rename(new Path(dir.resolve("b.txt").toUri()), file))
        .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class);

    // and a Delta table written and read back through it
    String table = dir.resolve("t").toString();
    SPARK.range(5).write().format("delta").save(table);
    SPARK.range(5, 7).write().format("delta").mode("append").save(table);
    assertThat(SPARK.read().format("delta").load(table).agg(org.apache.spark.sql.functions.sum("id")).first().getLong(0))
        .isEqualTo(21L);
  }
}
