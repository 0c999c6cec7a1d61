package io.strata.csi;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per RPC: the method, how long it took and the status code, plus the status message
 * for failures. Never the request, the response or the headers: CSI requests carry {@code secrets}
 * maps and mount flags, and the status message is safe only because {@link GrpcErrors} keeps
 * third-party text out of it.
 *
 * <p>Levels: a successful poll (Identity calls and the {@code *GetCapabilities} calls, which the
 * sidecars repeat all day) is DEBUG, any other success INFO; a failure the CO caused or can retry is
 * INFO; a failure of the plugin itself ({@code INTERNAL}, {@code UNKNOWN}, {@code DATA_LOSS}) is WARN
 * with its cause, which is where an operator finds what {@link GrpcErrors} left out of the message.
 */
final class RpcLogInterceptor implements ServerInterceptor {

    /** A stable name operators can set a level for, whatever this class is called. */
    static final String LOGGER_NAME = "io.strata.csi.rpc";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER_NAME);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long started = System.nanoTime();
        String method = call.getMethodDescriptor().getFullMethodName();
        AtomicBoolean logged = new AtomicBoolean();
        ServerCall<Q, R> timed = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (logged.compareAndSet(false, true)) {
                    log(method, status, started);
                }
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(timed, headers)) {
            @Override
            public void onCancel() {
                // the client went away or its deadline passed before an answer: the handler may still run
                if (logged.compareAndSet(false, true)) {
                    log(method, Status.CANCELLED.withDescription("cancelled by the client or its deadline"), started);
                }
                super.onCancel();
            }
        };
    }

    private static void log(String method, Status status, long startedNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        Status.Code code = status.getCode();
        if (status.isOk()) {
            if (isPoll(method)) {
                LOG.debug("{} {} in {} ms", method, code, millis);
            } else {
                LOG.info("{} {} in {} ms", method, code, millis);
            }
        } else if (isPluginFault(code)) {
            LOG.warn("{} {} in {} ms: {}", method, code, millis, status.getDescription(), status.getCause());
        } else {
            LOG.info("{} {} in {} ms: {}", method, code, millis, status.getDescription());
        }
    }

    private static boolean isPoll(String method) {
        return method.startsWith("csi.v1.Identity/") || method.endsWith("GetCapabilities");
    }

    private static boolean isPluginFault(Status.Code code) {
        return code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN || code == Status.Code.DATA_LOSS;
    }
}
