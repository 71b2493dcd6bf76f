package io.updraft.kato.commands;

import io.updraft.kato.KatoMain;
import java.nio.file.Path;

/** Where the component jars are by default: the source tree this kato was built in. */
final class Jars {

  private Jars() {
  }

  /** {@code <tree>/kato/target/updraft-kato.jar} (or {@code .../target/classes}) gives {@code <tree>}. */
  static String defaultDir() {
    try {
      Path self = Path.of(KatoMain.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      Path target = self.getParent();
      Path module = target == null ? null : target.getParent();
      Path tree = module == null ? null : module.getParent();
      return tree == null ? null : tree.toString();
    } catch (Exception e) {
      return null;
    }
  }
}
