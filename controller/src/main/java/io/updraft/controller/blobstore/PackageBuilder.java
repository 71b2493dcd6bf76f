package io.updraft.controller.blobstore;

import io.updraft.common.archive.ArchiveWriter;
import io.updraft.common.archive.SafeExtractor;
import io.updraft.common.archive.UnsafeArchiveException;
import io.updraft.common.files.FileTrees;
import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Assembles an app package from an upload (PROTOCOL.md 8.1): the uploaded zip holds the files
 * the pool lacked, the resource list names pool files to add back. Uploaded files join the pool;
 * the tree is re-zipped reproducibly (dot-files kept, unlike v1) and stored by SHA-1. Blocking.
 */
public final class PackageBuilder {

  /** A file the client did not upload because the pool has it. */
  public record Resource(String sha1, long size, String fn) {
  }

  /** A client mistake in an upload: the API answers 400 with this message. */
  public static final class PackagingException extends IOException {
    public PackagingException(String message) {
      super(message);
    }
  }

  private final Blobstore store;
  private final Path workRoot;
  private final long maxPackageBytes;

  public PackageBuilder(Blobstore store, Path workRoot, long maxPackageBytes) {
    this.store = store;
    this.workRoot = workRoot;
    this.maxPackageBytes = maxPackageBytes;
  }

  /** Builds and stores the package; returns its SHA-1. {@code zip} may be null. */
  public String build(Path zip, List<Resource> resources) throws IOException {
    PrivateFiles.createDirectories(workRoot);
    Path work = Files.createTempDirectory(workRoot, "package-"); // 0700
    try {
      Path tree = Files.createDirectory(work.resolve("app"));
      long bytes = 0;
      if (zip != null) {
        try {
          bytes = SafeExtractor.unzip(zip, tree, SafeExtractor.Limits.of(maxPackageBytes))
              .bytes();
        } catch (UnsafeArchiveException e) {
          throw new PackagingException("App packaging failed: '" + e.getMessage() + "'");
        }
        addToPool(tree);
      }
      Path root = tree.toRealPath();
      for (Resource resource : resources) {
        if (resource.fn() == null || resource.fn().isBlank()) {
          throw new PackagingException("App packaging failed: a resource has no file name");
        }
        Path target;
        try {
          target = SafeExtractor.resolveInside(root, resource.fn());
        } catch (UnsafeArchiveException e) {
          throw new PackagingException("App packaging failed: resource '" + resource.fn()
              + "' would land outside the app");
        }
        Path pooled = store.find(Blobstore.Kind.RESOURCES, resource.sha1(), resource.size())
            .orElseThrow(() -> new PackagingException("App packaging failed: resource '"
                + resource.fn() + "' (" + resource.sha1() + ") is not in the resource pool"));
        bytes += resource.size();
        if (bytes > maxPackageBytes) {
          throw new PackagingException("App packaging failed: the app is larger than "
              + maxPackageBytes / (1024 * 1024) + " MB");
        }
        Files.createDirectories(target.getParent());
        // a directory of the upload may be a link: the real place must still be in the app
        if (!target.getParent().toRealPath().startsWith(root)
            || Files.isSymbolicLink(target)) {
          throw new PackagingException("App packaging failed: resource '" + resource.fn()
              + "' would be written through a link");
        }
        Files.copy(pooled, target, StandardCopyOption.REPLACE_EXISTING);
      }
      Path out = work.resolve("package.zip");
      ArchiveWriter.zip(tree, out);
      return store.put(Blobstore.Kind.PACKAGES, out);
    } finally {
      deleteTree(work);
    }
  }

  private void addToPool(Path tree) throws IOException {
    try (Stream<Path> files = Files.walk(tree)) {
      for (Path file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .toList()) {
        store.copyIn(Blobstore.Kind.RESOURCES, file);
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    FileTrees.deleteRecursively(dir);
  }
}
