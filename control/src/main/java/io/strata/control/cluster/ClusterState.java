package io.strata.control.cluster;

import java.time.Duration;
import java.util.Optional;

/**
 * The state the nodes of a cluster share and cannot derive from what each reports: reservations of
 * volume names, the cluster settings and the controller lease (docs/cluster.md, "Shared state").
 * Concurrency is optimistic or create-if-absent; no lock is held across calls.
 *
 * <p>Every method is safe for concurrent use by threads of one process and by several processes
 * (or nodes) sharing one state. Each call is atomic: after a crash at any point, a later call sees
 * either the state before the call or the state after it, never a mix and never a corrupt record.
 * A call that returned has made its change durable. Names that are not valid ({@link
 * io.strata.domain.VolumeName}, {@link NodeId}) are refused with
 * {@link io.strata.domain.StrataException.InvalidArgument}; the store failing below (I/O) is
 * {@link io.strata.domain.StrataException.Unavailable}, worth retrying.
 */
public interface ClusterState {

    /**
     * Reserves {@code volumeName} for {@code nodeId}, if nobody holds it: create-if-absent.
     *
     * @return the reservation, when it is now held by {@code nodeId} (also when it already was: a
     *     retry succeeds); empty when another node holds it. Of any number of concurrent calls for
     *     one free name, exactly one gets a reservation.
     */
    Optional<Reservation> reserve(String volumeName, String nodeId);

    /** Who holds {@code volumeName}, if anyone. */
    Optional<Reservation> reservation(String volumeName);

    /**
     * Gives up {@code nodeId}'s reservation of {@code volumeName}. Releasing a name that nobody
     * holds, or that another node holds, changes nothing and is not an error (a retried release,
     * or a node cleaning up after losing a race, must not fail nor free someone else's name).
     */
    void release(String volumeName, String nodeId);

    /** The settings with their version; {@link Settings#NONE} at version 0 when never set. */
    Versioned<Settings> settings();

    /**
     * Replaces the settings, if their version is still {@code expectedVersion}.
     *
     * @return the new settings, at {@code expectedVersion + 1}
     * @throws io.strata.domain.StrataException.FailedPrecondition when the version moved (another
     *     writer won): read again, decide again, retry. Of concurrent updates naming one version,
     *     exactly one succeeds. FailedPrecondition, not AlreadyExists: nothing was named twice, the
     *     state the caller based its decision on has moved, as Kubernetes' 409 on a stale
     *     resourceVersion says; AlreadyExists stays for names.
     */
    Versioned<Settings> updateSettings(long expectedVersion, Settings next);

    /**
     * Takes the controller lease for {@code holder} for {@code ttl}, if it is free, lapsed or
     * already {@code holder}'s (then it is renewed). A change of holder raises the fencing token by
     * one; the first lease has token 1.
     *
     * @throws io.strata.domain.StrataException.FailedPrecondition when another holder's lease still
     *     holds; the message says until when. Of concurrent calls, at most one holder wins.
     */
    Lease lease(String holder, Duration ttl);

    /**
     * Extends {@code held} by {@code ttl} from now, if it is still the current lease (same holder,
     * same token) and has not lapsed.
     *
     * @throws io.strata.domain.StrataException.FailedPrecondition when it lapsed or another holder
     *     took the lease: the caller is deposed and must stop acting as the controller.
     */
    Lease renew(Lease held, Duration ttl);

    /** The last lease granted, lapsed or not ({@link Lease#heldAt}); empty when none ever was. */
    Optional<Lease> current();
}
