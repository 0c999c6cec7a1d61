package io.strata.csi;

import io.strata.csi.v1.Topology;
import io.strata.csi.v1.TopologyRequirement;
import io.strata.domain.StrataException;
import java.util.regex.Pattern;

/**
 * Where volumes can be used: a volume lives on the node whose Strata server made it, and only there.
 * Its topology is one segment, {@value #NODE_KEY} = the node id, which the Node service reports for
 * the node too.
 */
final class Topologies {

    static final String NODE_KEY = "topology.strata.io/node";
    /** A Kubernetes label value, because the node id is one in the node's topology labels. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

    private Topologies() {}

    /** @throws IllegalArgumentException when {@code nodeId} cannot be a topology label value */
    static String checkNodeId(String nodeId) {
        if (nodeId == null || !LABEL_VALUE.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("node id '" + nodeId + "' is not a Kubernetes label value (1-63 letters, digits,"
                    + " '-', '_' or '.', starting and ending with a letter or digit): it is the value of " + NODE_KEY);
        }
        return nodeId;
    }

    static Topology of(String nodeId) {
        return Topology.newBuilder().putSegments(NODE_KEY, nodeId).build();
    }

    /** Whether a volume on {@code nodeId} is in {@code topology}: it names this node, or no node at all. */
    static boolean admits(Topology topology, String nodeId) {
        String node = topology.getSegmentsMap().get(NODE_KEY);
        return node == null || node.equals(nodeId);
    }

    /**
     * Checks that a volume made here meets {@code requirement}: some requisite topology admits this
     * node. Preferred topologies are wishes; without requisite ones, anywhere will do.
     *
     * @throws StrataException.ResourceExhausted when every requisite topology names other nodes: the
     *     CO should place the volume (and the pod) elsewhere, which is what this code tells it
     */
    static void requireReachable(TopologyRequirement requirement, String nodeId) {
        if (requirement.getRequisiteCount() == 0) {
            return;
        }
        for (Topology topology : requirement.getRequisiteList()) {
            if (admits(topology, nodeId)) {
                return;
            }
        }
        throw new StrataException.ResourceExhausted("no topology in accessibility_requirements.requisite includes node '" + nodeId
                + "', where this Strata server makes its volumes: they can be made only there, so place the volume on that"
                + " node or ask the Strata server of another");
    }
}
