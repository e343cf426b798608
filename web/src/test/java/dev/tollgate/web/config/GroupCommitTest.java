package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
    @TempDir
    Path folder;

    @Test
    void everyChangeMadeBeforeAwaitIsInTheFileWhenAwaitReturnsWhateverTheOtherThreadsDo() throws Exception {
        // given a store that would not write on its own for a long time, and 16 threads changing it
        Path file = folder.resolve("store.mv.db");
        MVStore store = lazyStore(file);
        MVMap<Integer, Integer> map = store.openMap("values");
        GroupCommit group = new GroupCommit(store);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        List<Future<?>> done = new ArrayList<>();

        // when each puts its values, waiting after each one (one thread interrupted now and then)
        for (int t = 0; t < 16; t++) {
            int thread = t;
            done.add(threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    map.put(thread * 1000 + i, i);
                    if (thread == 3 && i % 10 == 0) {
                        Thread.currentThread().interrupt();
                    }
                    group.await();
                    Thread.interrupted();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        threads.shutdown();

        // then the file as it is now (the store still open, nothing closed it) holds all 800
        MVStore reopened = asItIsNow(file, "copy.mv.db");
        assertThat(reopened.<Integer, Integer>openMap("values").size()).isEqualTo(800);
        reopened.close();
        store.close();
    }

    @Test
    void aCallbackAfterTheWriteIsCalledOnceEveryChangeMadeBeforeItWasAskedForIsInTheFile() throws Exception {
        // given a store that would not write on its own, and 8 threads changing it without waiting
        Path file = folder.resolve("later.mv.db");
        MVStore store = lazyStore(file);
        MVMap<Integer, Integer> map = store.openMap("values");
        GroupCommit group = new GroupCommit(store);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        java.util.Set<Integer> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch called = new java.util.concurrent.CountDownLatch(400);
        java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

        // when each puts its values and asks to be called back after the write, mixed with threads that wait
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    int key = thread * 1000 + i;
                    map.put(key, i);
                    if (i % 7 == 0) {
                        group.await();
                        acknowledged.add(key);
                        called.countDown();
                    } else {
                        group.afterWrite(failure -> {
                            if (failure != null) {
                                failures.incrementAndGet();
                            }
                            acknowledged.add(key);
                            called.countDown();
                        });
                    }
                }
            });
        }
        assertThat(called.await(60, TimeUnit.SECONDS)).isTrue();
        threads.shutdown();

        // then every change acknowledged is in the file as it is now (the store still open)
        MVStore reopened = asItIsNow(file, "later-copy.mv.db");
        MVMap<Integer, Integer> inFile = reopened.openMap("values");
        assertThat(failures).hasValue(0);
        assertThat(acknowledged).hasSize(400).allSatisfy(key -> assertThat(inFile.containsKey(key)).isTrue());
        reopened.close();
        store.close();
    }

    @Test
    void withoutAwaitTheSameChangesAreNotYetInTheFile() throws Exception {
        // the control: this store does not write a change before it is asked to
        Path file = folder.resolve("lazy.mv.db");
        MVStore store = lazyStore(file);
        MVMap<Integer, Integer> map = store.openMap("values");
        new GroupCommit(store).await();
        map.put(1, 1);

        MVStore reopened = asItIsNow(file, "lazy-copy.mv.db");
        assertThat(reopened.hasMap("values") ? reopened.<Integer, Integer>openMap("values").size() : 0).isZero();
        reopened.close();
        store.close();
    }

    @Test
    void theThreadThatWritesSerializesTheChunkItselfNotH2sHelperThreads() throws Exception {
        // given a store with H2's background writer (which brings its two helper threads), and a map whose values
        // note the thread that serializes them into a chunk
        Path file = folder.resolve("inline.mv.db");
        MVStore store = lazyStore(file);
        ThreadNoting values = new ThreadNoting();
        MVMap<Integer, Integer> map = store.openMap("noted", new MVMap.Builder<Integer, Integer>().valueType(values));
        GroupCommit group = new GroupCommit(store);

        // when a thread of ours changes the map and waits for the write
        Thread ours = new Thread(() -> {
            map.put(1, 1);
            group.await();
        }, "asking-thread");
        ours.start();
        ours.join(10_000);

        // then that thread serialized the value, and the change is in the file
        assertThat(values.writers).containsExactly("asking-thread");
        MVStore reopened = asItIsNow(file, "inline-copy.mv.db");
        assertThat(reopened.openMap("noted", new MVMap.Builder<Integer, Integer>().valueType(new ThreadNoting()))
                .get(1)).isEqualTo(1);
        reopened.close();
        store.close();
    }

    /** Integers that note which threads wrote them into a chunk. */
    private static final class ThreadNoting extends BasicDataType<Integer> {
        final Set<String> writers = ConcurrentHashMap.newKeySet();

        @Override
        public int getMemory(Integer value) {
            return 16;
        }

        @Override
        public void write(WriteBuffer buffer, Integer value) {
            writers.add(Thread.currentThread().getName());
            buffer.putInt(value);
        }

        @Override
        public Integer read(ByteBuffer buffer) {
            return buffer.getInt();
        }

        @Override
        public Integer[] createStorage(int size) {
            return new Integer[size];
        }
    }

    /** A copy of the file as it is now (its store still open), opened read-only. */
    private MVStore asItIsNow(Path file, String copyName) throws java.io.IOException {
        Path copy = folder.resolve(copyName);
        Files.copy(file, copy);
        return new MVStore.Builder().fileName(copy.toString()).readOnly().open();
    }

    /** A store whose own writer would not write for an hour: only an await puts a change in the file. */
    private static MVStore lazyStore(Path file) {
        MVStore store = new MVStore.Builder().fileName(file.toString()).open();
        store.setAutoCommitDelay(3_600_000);
        return store;
    }
}
