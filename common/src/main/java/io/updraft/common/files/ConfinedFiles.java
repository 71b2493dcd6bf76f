package io.updraft.common.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Opens a path under a root that someone hostile can change while we look (an app's instance
 * directory, which the DEA reads as root): each step is opened relative to the directory
 * opened before it ({@code openat}, through {@link SecureDirectoryStream}) and never follows
 * a symlink, so swapping a directory for a link to the host between a check and the open
 * (the race of CVE-2018-15664) finds nothing to follow. A symlink anywhere on the way is
 * refused, inside or out. Blocking.
 */
public final class ConfinedFiles {

  private ConfinedFiles() {
  }

  /** The path is a symlink, a device or a pipe, or leads through one: never opened. */
  public static final class Refused extends IOException {
    public Refused(String message) {
      super(message);
    }
  }

  /** What a path led to: a directory to list, or a regular file open for reading. */
  public static final class Opened implements Closeable {
    private final List<SecureDirectoryStream<Path>> dirs;
    private final SeekableByteChannel file;
    private final BasicFileAttributes attributes;

    Opened(List<SecureDirectoryStream<Path>> dirs, SeekableByteChannel file,
        BasicFileAttributes attributes) {
      this.dirs = dirs;
      this.file = file;
      this.attributes = attributes;
    }

    public boolean isDirectory() {
      return file == null;
    }

    /** The opened file (null for a directory). */
    public SeekableByteChannel file() {
      return file;
    }

    public BasicFileAttributes attributes() {
      return attributes;
    }

    /** The directory's entries: name and attributes, links not followed (iterate once). */
    public List<Entry> entries() throws IOException {
      SecureDirectoryStream<Path> dir = dirs.get(dirs.size() - 1);
      List<Entry> out = new ArrayList<>();
      for (Path p : dir) {
        Path name = p.getFileName();
        try {
          out.add(new Entry(name.toString(), dir.getFileAttributeView(name,
              BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes()));
        } catch (NoSuchFileException e) {
          // removed meanwhile
        }
      }
      return out;
    }

    @Override
    public void close() throws IOException {
      if (file != null) {
        file.close();
      }
      for (int i = dirs.size() - 1; i >= 0; i--) {
        dirs.get(i).close();
      }
    }
  }

  /** One directory entry. */
  public record Entry(String name, BasicFileAttributes attributes) {
  }

  /**
   * Opens {@code segments} (plain names: no {@code .}, {@code ..} or {@code /}) under
   * {@code root}.
   *
   * @throws NoSuchFileException when something on the way is missing
   * @throws Refused when something on the way is a symlink, or the end is neither a directory
   *     nor a regular file
   */
  public static Opened open(Path root, List<String> segments) throws IOException {
    List<SecureDirectoryStream<Path>> dirs = new ArrayList<>();
    try {
      DirectoryStream<Path> top = Files.newDirectoryStream(root);
      if (!(top instanceof SecureDirectoryStream<Path> secure)) {
        top.close();
        throw new IOException("this file system cannot open paths race-free");
      }
      dirs.add(secure);
      BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      for (int i = 0; i < segments.size(); i++) {
        String s = segments.get(i);
        if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('/') >= 0
            || s.indexOf('\0') >= 0) {
          throw new Refused("not a plain name: " + s);
        }
        Path name = Path.of(s);
        SecureDirectoryStream<Path> dir = dirs.get(dirs.size() - 1);
        attrs = dir.getFileAttributeView(name, BasicFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS).readAttributes();
        boolean last = i == segments.size() - 1;
        if (attrs.isSymbolicLink()) {
          throw new Refused(s + " is a symlink");
        }
        if (attrs.isDirectory()) {
          dirs.add(dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
        } else if (last && attrs.isRegularFile()) {
          SeekableByteChannel file = dir.newByteChannel(name, Set.of(StandardOpenOption.READ,
              LinkOption.NOFOLLOW_LINKS));
          return new Opened(dirs, file, attrs);
        } else {
          throw new Refused(s + " is not a directory or a regular file");
        }
      }
      return new Opened(dirs, null, attrs);
    } catch (IOException | RuntimeException e) {
      for (int i = dirs.size() - 1; i >= 0; i--) {
        try {
          dirs.get(i).close();
        } catch (IOException ignored) {
          // closing what we opened; the first failure is the one to report
        }
      }
      throw e;
    }
  }

  /** A {@link FileChannel} view when the channel is one (positional reads), else null. */
  public static FileChannel fileChannel(SeekableByteChannel channel) {
    return channel instanceof FileChannel f ? f : null;
  }
}
