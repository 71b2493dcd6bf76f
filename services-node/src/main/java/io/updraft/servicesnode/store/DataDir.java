package io.updraft.servicesnode.store;

import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The node's {@code data_dir}: its records (credentials, generated passwords) are its user's
 * alone, directories 0700 and files 0600. The filesystem service's instance directories are
 * apps' and are left as they are; the directories on the way to them from {@code data_dir}
 * (the default {@code <data_dir>/filesystem/instances} included) are 0711, so an app running
 * as another user reaches the directory it was given (its name is 96 random bits) but nobody
 * lists them. Blocking.
 */
public final class DataDir {

  private DataDir() {
  }

  /**
   * Creates the data dir, or tightens what an older version left readable in it.
   *
   * @param instanceRoots the filesystem services' instance directories ({@code dir}); those
   *     outside the data dir are the backend's to set up
   * @return how many modes were changed
   */
  public static int prepare(Path dataDir, Collection<Path> instanceRoots) throws IOException {
    PrivateFiles.createRoot(dataDir);
    Path root = dataDir.toRealPath();
    List<Path> passable = new ArrayList<>();
    List<Path> apps = new ArrayList<>();
    for (Path instances : instanceRoots) {
      Path absolute = instances.toAbsolutePath().normalize();
      Path inside = Files.exists(absolute) ? absolute.toRealPath() : absolute;
      if (!inside.startsWith(root) || inside.equals(root)) {
        continue;
      }
      // made here (0700 until the walk below opens the way), not by the backend's check
      PrivateFiles.createDirectories(inside);
      apps.add(inside);
      for (Path dir = inside; !dir.equals(root); dir = dir.getParent()) {
        passable.add(dir);
      }
      passable.add(root);
    }
    return PrivateFiles.tighten(root, passable, apps);
  }
}
