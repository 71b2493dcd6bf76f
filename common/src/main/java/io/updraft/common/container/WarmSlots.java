package io.updraft.common.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few network slots connected ahead of time, so a container start does not wait for the
 * half dozen {@code ip} commands that connect one (each is a process spawn). A taken slot is
 * replaced in the background. The idle slots are listed in a file, so a start after a crash
 * frees the ones the last run left connected. Thread-safe.
 */
public final class WarmSlots implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WarmSlots.class);

  private final ContainerNetwork network;
  private final int size;
  private final Path record;
  private final Deque<ContainerNetwork.Attachment> idle = new ArrayDeque<>();
  private final ExecutorService filler;
  private boolean closed;

  /**
   * @param size slots kept ready (0: every slot is connected when taken)
   * @param record the file listing idle slots (private to the caller)
   */
  public WarmSlots(ContainerNetwork network, int size, Path record) {
    this.network = network;
    this.size = size;
    this.record = record;
    this.filler = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "container-slots");
      t.setDaemon(true);
      return t;
    });
  }

  /** Frees what a previous run left idle, then fills up in the background. Blocking. */
  public void start() {
    if (Files.isRegularFile(record)) {
      try {
        for (String line : Files.readAllLines(record)) {
          if (!line.isBlank()) {
            network.detach(network.attachment(Integer.parseInt(line.strip())));
          }
        }
      } catch (IOException | RuntimeException e) {
        log.atWarn().setMessage("container.slots.reclaim.failed")
            .addKeyValue("reason", e.getMessage()).log();
      }
    }
    save();
    refill();
  }

  /** A connected slot: a warm one if there is one, else one connected now. Blocking. */
  public ContainerNetwork.Attachment take() throws IOException {
    ContainerNetwork.Attachment a;
    synchronized (this) {
      a = idle.pollFirst();
      if (a != null) {
        save();
      }
    }
    refill();
    return a != null ? a : network.attach();
  }

  private void refill() {
    synchronized (this) {
      if (closed || size == 0) {
        return;
      }
    }
    filler.execute(() -> {
      while (true) {
        synchronized (this) {
          if (closed || idle.size() >= size) {
            return;
          }
        }
        try {
          ContainerNetwork.Attachment a = network.attach();
          synchronized (this) {
            if (closed) {
              network.detach(a);
              return;
            }
            idle.addLast(a);
            save();
          }
        } catch (IOException e) {
          log.atWarn().setMessage("container.slots.fill.failed")
              .addKeyValue("reason", e.getMessage()).log();
          return;
        }
      }
    });
  }

  private synchronized void save() {
    List<String> lines = new ArrayList<>();
    idle.forEach(a -> lines.add(String.valueOf(a.slot())));
    try {
      Files.write(record, lines);
    } catch (IOException e) {
      log.atWarn().setMessage("container.slots.record.failed")
          .addKeyValue("reason", e.getMessage()).log();
    }
  }

  /** Disconnects the idle slots. Blocking. */
  @Override
  public void close() {
    List<ContainerNetwork.Attachment> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(idle);
      idle.clear();
      save();
    }
    filler.shutdownNow();
    left.forEach(network::detach);
  }
}
