package io.strata.csi;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net under {@link Rpc#unary}: an exception that escapes a handler is answered with the
 * status {@link GrpcErrors} gives it, instead of gRPC's bare {@code UNKNOWN}. So a handler that
 * simply throws a domain error still gives the CO the right code.
 */
final class ErrorMappingInterceptor implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMappingInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        GuardedCall<Q, R> guarded = new GuardedCall<>(call);
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(guarded, headers);
        } catch (RuntimeException e) {
            guarded.fail(e);
            return new ServerCall.Listener<>() {};
        }
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onHalfClose() {
                // unary and server-streaming handlers run here
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } catch (RuntimeException e) {
                    LOG.warn("handler failed while its call was being cancelled: {}", call.getMethodDescriptor()
                            .getFullMethodName(), e);
                }
            }

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } catch (RuntimeException e) {
                    LOG.warn("handler failed after its call completed: {}", call.getMethodDescriptor()
                            .getFullMethodName(), e);
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }
        };
    }

    /**
     * Remembers whether the call was closed, so that a handler which answered and then threw does not
     * make gRPC fail with "call already closed" on top.
     */
    private static final class GuardedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
        // gRPC runs a call's listener and handler events one at a time, but not always on one thread
        private volatile boolean closed;

        GuardedCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed = true;
            super.close(status, trailers);
        }

        void fail(RuntimeException e) {
            if (closed) {
                LOG.warn("handler failed after answering {}", getMethodDescriptor().getFullMethodName(), e);
                return;
            }
            close(GrpcErrors.toStatus(e), new Metadata());
        }
    }
}
