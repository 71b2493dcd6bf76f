package io.updraft.controller.blobstore;

import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bits on the filesystem, addressed by SHA-1: app packages, droplets and the resource pool
 * (single files the client need not upload again). Every blob is written to a temporary file
 * and renamed into place, so readers never see half a blob; reads can be verified against the
 * name. Blocking: call it from worker threads.
 *
 * <p>Layout: {@code <root>/<kind>/<sha1[0..2]>/<sha1[2..4]>/<sha1>}; directories 0700, blobs
 * 0600 (other users' packages and droplets are no business of an app on the same machine).
 */
public final class Blobstore {

  /** What a blob is; each kind has its own directory. */
  public enum Kind { PACKAGES, DROPLETS, RESOURCES }

  private static final Pattern SHA1 = Pattern.compile("^[0-9a-f]{40}$");

  private final Path root;

  public Blobstore(Path root) {
    this.root = root;
  }

  public static boolean isSha1(String value) {
    return value != null && SHA1.matcher(value).matches();
  }

  public Path path(Kind kind, String sha1) {
    if (!isSha1(sha1)) {
      throw new IllegalArgumentException("not a sha1: " + sha1);
    }
    return root.resolve(kind.name().toLowerCase()).resolve(sha1.substring(0, 2))
        .resolve(sha1.substring(2, 4)).resolve(sha1);
  }

  public boolean has(Kind kind, String sha1) {
    return isSha1(sha1) && Files.isRegularFile(path(kind, sha1));
  }

  /** The blob, if stored with exactly {@code size} bytes (resource matching checks both). */
  public Optional<Path> find(Kind kind, String sha1, long size) {
    if (!has(kind, sha1)) {
      return Optional.empty();
    }
    Path p = path(kind, sha1);
    try {
      return Files.size(p) == size ? Optional.of(p) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Moves {@code file} into the store under its SHA-1 and returns that SHA-1. A blob that is
   * already there is kept (same content) and {@code file} deleted.
   */
  public String put(Kind kind, Path file) throws IOException {
    String sha1 = sha1(file);
    Path target = path(kind, sha1);
    if (Files.isRegularFile(target)) {
      Files.deleteIfExists(file);
      return sha1;
    }
    PrivateFiles.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
    Files.move(file, tmp, StandardCopyOption.REPLACE_EXISTING);
    // the moved file keeps its mode (an upload's, an app file's): private before it is visible
    Files.setPosixFilePermissions(tmp, PrivateFiles.FILE);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return sha1;
  }

  /** Copies {@code file} into the store (the source stays) and returns its SHA-1. */
  public String copyIn(Kind kind, Path file) throws IOException {
    PrivateFiles.createDirectories(root);
    Path copy = Files.createTempFile(root, ".copy-", ".tmp");
    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
    return put(kind, copy);
  }

  /** Whether the stored blob still hashes to its name (bit rot, tampering). */
  public boolean verify(Kind kind, String sha1) throws IOException {
    return has(kind, sha1) && sha1(path(kind, sha1)).equals(sha1);
  }

  public void delete(Kind kind, String sha1) throws IOException {
    if (isSha1(sha1)) {
      Files.deleteIfExists(path(kind, sha1));
    }
  }

  /** Hex SHA-1 of a file's content. */
  public static String sha1(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
      byte[] buffer = new byte[64 * 1024];
      while (in.read(buffer) >= 0) {
        // the digest stream hashes as it reads
      }
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new UncheckedIOException(new IOException("SHA-1 unavailable", e));
    }
  }
}
