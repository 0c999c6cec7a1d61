package io.strata.csi;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * How a CSI handler answers a unary call: compute the response, and let every failure go through
 * {@link GrpcErrors}. A handler written as
 *
 * <pre>{@code
 * public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
 *     Rpc.unary(observer, () -> {
 *         volumes.delete(VolumeName.of(request.getVolumeId()));
 *         return DeleteVolumeResponse.getDefaultInstance();
 *     });
 * }
 * }</pre>
 *
 * cannot forget to complete the call, cannot complete it twice, and cannot answer an error with
 * anything but the mapped status.
 */
public final class Rpc {

    private Rpc() {}

    /** The body of a handler: returns the response or throws whatever went wrong. */
    @FunctionalInterface
    public interface Body<T> {
        T call() throws Exception;
    }

    /** Runs {@code body} and answers {@code observer} with its response or its mapped failure. */
    public static <T> void unary(StreamObserver<T> observer, Body<T> body) {
        T response;
        try {
            response = body.call();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!cancelled(observer)) {
                observer.onError(GrpcErrors.toException(e));
            }
            return;
        }
        if (cancelled(observer)) {
            // the client gave up or the server is stopping: there is nobody to answer
            return;
        }
        if (response == null) {
            // a handler bug; gRPC would fail to serialize null with a far less helpful message
            observer.onError(GrpcErrors.toException(new IllegalStateException("handler returned no response")));
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    private static boolean cancelled(StreamObserver<?> observer) {
        return observer instanceof ServerCallStreamObserver<?> call && call.isCancelled();
    }
}
