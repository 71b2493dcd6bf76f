package io.updraft.common.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

  @TempDir
  Path tmp;

  @Test
  void deletesATreeWithReadOnlyDirectoriesButNotWhatALinkPointsTo() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "precious");
    Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
    Files.writeString(tree.resolve("f.txt"), "x");
    Files.createSymbolicLink(tmp.resolve("tree/link"), outside);
    tree.toFile().setWritable(false);

    FileTrees.deleteRecursively(tmp.resolve("tree"));

    assertThat(tmp.resolve("tree")).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("precious");
    FileTrees.deleteRecursively(tmp.resolve("tree"));
  }
}
