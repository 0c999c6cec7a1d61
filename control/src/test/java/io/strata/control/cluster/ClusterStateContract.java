package io.strata.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.domain.StrataException;
import io.strata.domain.VolumeName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterState} must do; each implementation's test extends this. Races run
 * across several instances over one shared state ({@link #anotherNode}), as several nodes would.
 */
abstract class ClusterStateContract {
    static final int RACERS = 16;
    final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    ClusterState state;
    private ExecutorService pool;

    /** A fresh, empty shared state whose leases are timed by {@code clock}. */
    abstract ClusterState newState(SettableClock clock) throws Exception;

    /** Another handle on the state {@link #newState} made, as another node (or process) holds it. */
    abstract ClusterState anotherNode() throws Exception;

    @BeforeEach
    void open() throws Exception {
        state = newState(clock);
        pool = Executors.newFixedThreadPool(RACERS);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs the tasks at once (all wait at one gate) and returns their outcomes: a value or the exception thrown. */
    <T> List<Object> race(List<Callable<T>> tasks) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(() -> {
                gate.await();
                try {
                    return task.call();
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }
        gate.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> future : futures) {
            outcomes.add(future.get(30, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    private List<ClusterState> nodes(int count) throws Exception {
        List<ClusterState> nodes = new ArrayList<>(List.of(state));
        while (nodes.size() < count) {
            nodes.add(anotherNode());
        }
        return nodes;
    }

    // --- reservations

    @Test
    void aFreeNameIsReservedAndARetryByTheHolderSucceedsAgain() {
        assertThat(state.reservation("db")).isEmpty();
        Reservation held = new Reservation(VolumeName.of("db"), NodeId.of("node-1"));
        assertThat(state.reserve("db", "node-1")).contains(held);
        assertThat(state.reserve("db", "node-1")).contains(held);
        assertThat(state.reservation("db")).contains(held);
    }

    @Test
    void aNameHeldByAnotherNodeIsNotReservedAndStaysItsHolders() throws Exception {
        state.reserve("db", "node-1");
        assertThat(anotherNode().reserve("db", "node-2")).isEmpty();
        assertThat(state.reservation("db")).map(Reservation::node).contains(NodeId.of("node-1"));
    }

    @Test
    void releaseFreesOnlyTheHoldersNameAndReleasingNothingIsANoOp() throws Exception {
        state.release("never-held", "node-1");
        state.reserve("db", "node-1");
        anotherNode().release("db", "node-2");
        assertThat(state.reservation("db")).map(Reservation::node).contains(NodeId.of("node-1"));
        state.release("db", "node-1");
        state.release("db", "node-1");
        assertThat(state.reservation("db")).isEmpty();
        assertThat(anotherNode().reserve("db", "node-2")).map(Reservation::node).contains(NodeId.of("node-2"));
    }

    @Test
    void sixteenNodesRacingForOneNameLeaveExactlyOneHolder() throws Exception {
        List<ClusterState> nodes = nodes(4);
        List<Callable<Optional<Reservation>>> tasks = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            ClusterState node = nodes.get(i % nodes.size());
            String id = "node-" + i;
            tasks.add(() -> node.reserve("db", id));
        }
        List<Object> outcomes = race(tasks);
        List<Reservation> won = outcomes.stream().filter(o -> o instanceof Optional<?> r && r.isPresent())
                .map(o -> (Reservation) ((Optional<?>) o).get()).toList();
        assertThat(outcomes).allMatch(o -> o instanceof Optional<?>, "no racer failed");
        assertThat(won).hasSize(1);
        assertThat(state.reservation("db")).contains(won.getFirst());
    }

    @Test
    void badNamesAreRefusedAsInvalidArguments() {
        assertThatThrownBy(() -> state.reserve("../etc", "node-1")).isInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> state.reserve("db", "node/1")).isInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> state.release("", "node-1")).isInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> state.lease("a b", Duration.ofSeconds(10))).isInstanceOf(StrataException.InvalidArgument.class);
        assertThatThrownBy(() -> state.lease("node-1", Duration.ZERO)).isInstanceOf(StrataException.InvalidArgument.class);
    }

    // --- settings

    @Test
    void settingsStartEmptyAtVersionZeroAndEachUpdateRaisesTheVersion() throws Exception {
        assertThat(state.settings()).isEqualTo(new Versioned<>(0, Settings.NONE));
        Versioned<Settings> first = state.updateSettings(0, Settings.withBackupTarget("s3://bucket@us-east-1/"));
        assertThat(first).isEqualTo(new Versioned<>(1, Settings.withBackupTarget("s3://bucket@us-east-1/")));
        assertThat(anotherNode().settings()).isEqualTo(first);
        assertThat(state.updateSettings(1, Settings.NONE)).isEqualTo(new Versioned<>(2, Settings.NONE));
        assertThat(state.settings()).isEqualTo(new Versioned<>(2, Settings.NONE));
    }

    @Test
    void anUpdateNamingAStaleVersionFailsAndChangesNothing() throws Exception {
        state.updateSettings(0, Settings.withBackupTarget("nfs://server:/one"));
        assertThatThrownBy(() -> anotherNode().updateSettings(0, Settings.withBackupTarget("nfs://server:/two")))
                .isInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("version 1");
        assertThat(state.settings()).isEqualTo(new Versioned<>(1, Settings.withBackupTarget("nfs://server:/one")));
    }

    @Test
    void sixteenUpdatesNamingOneVersionLeaveExactlyOneWinner() throws Exception {
        state.updateSettings(0, Settings.withBackupTarget("nfs://server:/start"));
        List<ClusterState> nodes = nodes(4);
        List<Callable<Versioned<Settings>>> tasks = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            ClusterState node = nodes.get(i % nodes.size());
            Settings mine = Settings.withBackupTarget("nfs://server:/racer-" + i);
            tasks.add(() -> node.updateSettings(1, mine));
        }
        List<Object> outcomes = race(tasks);
        List<Object> won = outcomes.stream().filter(o -> o instanceof Versioned<?>).toList();
        assertThat(won).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !(o instanceof Versioned<?>))
                .hasSize(RACERS - 1).allMatch(o -> o instanceof StrataException.FailedPrecondition);
        assertThat(state.settings()).isEqualTo(won.getFirst()).extracting(Versioned::version).isEqualTo(2L);
    }

    @Test
    void settingsRefuseAControlCharacterInTheTarget() {
        assertThatThrownBy(() -> Settings.withBackupTarget("s3://b\nversion=9")).isInstanceOf(StrataException.InvalidArgument.class);
    }

    // --- lease

    @Test
    void theFirstLeaseHasTokenOneAndARenewalKeepsItsToken() {
        assertThat(state.current()).isEmpty();
        Lease first = state.lease("node-1", Duration.ofSeconds(15));
        assertThat(first).isEqualTo(new Lease(NodeId.of("node-1"), 1, clock.instant().plusSeconds(15)));
        clock.advance(Duration.ofSeconds(10));
        Lease renewed = state.renew(first, Duration.ofSeconds(15));
        assertThat(renewed).isEqualTo(new Lease(NodeId.of("node-1"), 1, clock.instant().plusSeconds(15)));
        assertThat(state.lease("node-1", Duration.ofSeconds(15)).token()).isEqualTo(1);
        assertThat(state.current()).contains(new Lease(NodeId.of("node-1"), 1, clock.instant().plusSeconds(15)));
    }

    @Test
    void aHeldLeaseIsRefusedToAnotherHolder() throws Exception {
        Lease held = state.lease("node-1", Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(14));
        assertThatThrownBy(() -> anotherNode().lease("node-2", Duration.ofSeconds(15)))
                .isInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("node-1");
        assertThat(state.current()).contains(held);
    }

    @Test
    void aLapsedLeaseGoesToANewHolderWithAHigherTokenAndTheOldOneCannotRenew() throws Exception {
        Lease old = state.lease("node-1", Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(15));
        Lease taken = anotherNode().lease("node-2", Duration.ofSeconds(15));
        assertThat(taken.holder()).isEqualTo(NodeId.of("node-2"));
        assertThat(taken.token()).isGreaterThan(old.token());
        assertThatThrownBy(() -> state.renew(old, Duration.ofSeconds(15)))
                .isInstanceOf(StrataException.FailedPrecondition.class)
                .hasMessageContaining("node-2");
        clock.advance(Duration.ofSeconds(20));
        Lease back = state.lease("node-1", Duration.ofSeconds(15));
        assertThat(back.token()).isGreaterThan(taken.token());
    }

    @Test
    void aLapsedLeaseCannotBeRenewedEvenIfNobodyTookIt() {
        Lease held = state.lease("node-1", Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(16));
        assertThatThrownBy(() -> state.renew(held, Duration.ofSeconds(15))).isInstanceOf(StrataException.FailedPrecondition.class);
    }

    @Test
    void ofSixteenNodesRacingForAFreeLeaseExactlyOneHoldsIt() throws Exception {
        List<ClusterState> nodes = nodes(4);
        List<Callable<Lease>> tasks = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            ClusterState node = nodes.get(i % nodes.size());
            String id = "node-" + i;
            tasks.add(() -> node.lease(id, Duration.ofSeconds(15)));
        }
        List<Object> outcomes = race(tasks);
        List<Object> won = outcomes.stream().filter(o -> o instanceof Lease).toList();
        assertThat(won).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !(o instanceof Lease)).allMatch(o -> o instanceof StrataException.FailedPrecondition);
        assertThat(state.current()).contains((Lease) won.getFirst());
        assertThat(((Lease) won.getFirst()).token()).isEqualTo(1);
    }
}
