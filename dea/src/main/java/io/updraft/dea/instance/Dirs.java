package io.updraft.dea.instance;

import io.updraft.common.files.FileTrees;
import java.io.IOException;
import java.nio.file.Path;

/** Directory removal that never follows a symlink out of the tree. Blocking. */
public final class Dirs {

  private Dirs() {
  }

  public static void deleteRecursively(Path dir) throws IOException {
    FileTrees.deleteRecursively(dir);
  }
}
