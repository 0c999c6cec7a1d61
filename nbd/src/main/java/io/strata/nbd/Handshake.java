package io.strata.nbd;

import io.strata.domain.StrataException;
import io.strata.nbd.protocol.HandshakeCodec;
import io.strata.nbd.protocol.InfoType;
import io.strata.nbd.protocol.MalformedFrameException;
import io.strata.nbd.protocol.Option;
import io.strata.nbd.protocol.OptionError;
import io.strata.nbd.protocol.OptionReply;
import io.strata.nbd.protocol.Protocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * The server's side of the fixed-newstyle handshake: greets, answers options until the client
 * chooses an export (GO or EXPORT_NAME) or leaves. Unknown options are answered
 * {@link OptionError#UNSUP}, unknown exports {@link OptionError#UNKNOWN} (or, after EXPORT_NAME,
 * which has no error reply, by closing).
 */
final class Handshake {
    /** Options one client may send before choosing an export: more is taken as a denial of service. */
    static final int MAX_OPTIONS = 1024;
    static final int MIN_BLOCK = 1;
    static final int PREFERRED_BLOCK = 4096;

    private final InputBuffer in;
    private final WritableByteChannel out;
    private final Exports exports;
    private boolean structured;
    /** The export SET_META_CONTEXT selected {@code base:allocation} for, if any. */
    private String metaContextExport;

    Handshake(InputBuffer in, WritableByteChannel out, Exports exports) {
        this.in = in;
        this.out = out;
        this.exports = exports;
    }

    /** Runs the handshake; empty when the client left (ABORT, end of stream, unknown EXPORT_NAME). */
    Optional<Session> run() throws IOException {
        write(HandshakeCodec.greeting());
        HandshakeCodec.ClientFlags flags = null;
        while (flags == null) {
            flags = HandshakeCodec.decodeClientFlags(in.buffer());
            if (flags == null && !in.fill()) {
                return Optional.empty();
            }
        }
        for (int count = 0; count < MAX_OPTIONS; count++) {
            Option option = HandshakeCodec.decodeOption(in.buffer());
            if (option == null) {
                if (!in.fill()) {
                    return Optional.empty();
                }
                count--;
                continue;
            }
            Optional<Optional<Session>> outcome = answer(option, flags.noZeroes());
            if (outcome.isPresent()) {
                return outcome.get();
            }
        }
        throw new MalformedFrameException("the client sent " + MAX_OPTIONS + " options without choosing an export");
    }

    /** Answers one option; present when the handshake is over (with a session, or without when the client leaves). */
    private Optional<Optional<Session>> answer(Option option, boolean noZeroes) throws IOException {
        switch (option) {
            case Option.ExportName e -> {
                Optional<Export> export = openQuietly(e.name());
                if (export.isEmpty()) {
                    return Optional.of(Optional.empty()); // EXPORT_NAME has no error reply: the spec says close
                }
                Session session = session(export.get());
                write(HandshakeCodec.encodeExportNameReply(session.size(), session.transmissionFlags(), noZeroes));
                return Optional.of(Optional.of(session));
            }
            case Option.Abort a -> {
                reply(new OptionReply.Ack(a.code()));
                return Optional.of(Optional.empty());
            }
            case Option.ListExports l -> {
                for (String name : exports.names()) {
                    reply(new OptionReply.Server(l.code(), name));
                }
                reply(new OptionReply.Ack(l.code()));
            }
            case Option.Info i -> {
                Optional<Session> session = info(i);
                if (i.go() && session.isPresent()) {
                    return Optional.of(session);
                }
            }
            case Option.StructuredReply s -> {
                structured = true;
                reply(new OptionReply.Ack(s.code()));
            }
            case Option.MetaContext m -> metaContext(m);
            case Option.Unsupported u -> reply(new OptionReply.Error(u.code(), OptionError.UNSUP,
                    "option " + u.code() + " is not supported by this server"));
            case Option.Invalid v -> {
                if (v.code() == Option.EXPORT_NAME) {
                    return Optional.of(Optional.empty());
                }
                reply(new OptionReply.Error(v.code(), OptionError.INVALID, v.reason()));
            }
        }
        return Optional.empty();
    }

    /** INFO or GO: the export's details; for GO a session that the caller enters. */
    private Optional<Session> info(Option.Info option) throws IOException {
        Optional<Export> found = openOrRefuse(option.code(), option.name());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Export export = found.get();
        try {
            Session session = session(export);
            reply(new OptionReply.ExportInfo(option.code(), session.size(), session.transmissionFlags()));
            if (option.requests().contains(InfoType.NAME)) {
                reply(new OptionReply.NameInfo(option.code(), export.name()));
            }
            if (option.requests().contains(InfoType.DESCRIPTION)) {
                reply(new OptionReply.DescriptionInfo(option.code(), export.description()));
            }
            if (option.requests().contains(InfoType.BLOCK_SIZE)) {
                reply(new OptionReply.BlockSizeInfo(option.code(), MIN_BLOCK, PREFERRED_BLOCK, Protocol.MAX_PAYLOAD));
            }
            reply(new OptionReply.Ack(option.code()));
            if (option.go()) {
                export = null; // the session owns it now
                return Optional.of(session);
            }
            return Optional.empty();
        } finally {
            if (export != null) {
                export.close();
            }
        }
    }

    private void metaContext(Option.MetaContext option) throws IOException {
        if (!structured) {
            reply(new OptionReply.Error(option.code(), OptionError.INVALID,
                    "metadata contexts need structured replies: send STRUCTURED_REPLY first"));
            return;
        }
        Optional<Export> export = openOrRefuse(option.code(), option.exportName());
        if (export.isEmpty()) {
            return;
        }
        export.get().close();
        boolean matched = option.set()
                ? option.queries().contains(Protocol.BASE_ALLOCATION)
                : option.queries().isEmpty() || option.queries().stream()
                        .anyMatch(q -> q.equals(Protocol.BASE_ALLOCATION) || q.equals("base:"));
        if (matched) {
            reply(new OptionReply.MetaContext(option.code(), option.set() ? Session.BASE_ALLOCATION_ID : 0, Protocol.BASE_ALLOCATION));
        }
        if (option.set()) {
            metaContextExport = matched ? option.exportName() : null;
        }
        reply(new OptionReply.Ack(option.code()));
    }

    private Session session(Export export) {
        boolean readOnly = export.readOnly();
        int flags = Protocol.HAS_FLAGS | Protocol.SEND_FLUSH | Protocol.SEND_CACHE | Protocol.CAN_MULTI_CONN;
        flags |= readOnly ? Protocol.READ_ONLY
                : Protocol.SEND_FUA | Protocol.SEND_TRIM | Protocol.SEND_WRITE_ZEROES | Protocol.SEND_FAST_ZERO;
        if (structured) {
            flags |= Protocol.SEND_DF;
        }
        boolean baseAllocation = structured && export.name().equals(metaContextExport);
        return new Session(export, export.device().size(), flags, structured, baseAllocation);
    }

    /**
     * The export, or empty after an error reply that says why not: it does not exist, it is not
     * ready to be served (a volume being restored: the reply says how far it got, so that the
     * person at the client knows to wait), or it failed to open.
     */
    private Optional<Export> openOrRefuse(int optionCode, String name) throws IOException {
        Optional<Export> found;
        try {
            found = exports.open(name);
        } catch (StrataException.Unavailable | StrataException.FailedPrecondition notReady) {
            // "not available", in the spec's words; qemu shows the message after "Requested export not available"
            reply(new OptionReply.Error(optionCode, OptionError.UNKNOWN, Failures.describe(notReady)));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            reply(new OptionReply.Error(optionCode, OptionError.UNKNOWN, "export '" + name + "' cannot be opened: " + Failures.describe(e)));
            return Optional.empty();
        }
        if (found.isEmpty()) {
            reply(new OptionReply.Error(optionCode, OptionError.UNKNOWN, "no export is named '" + name + "'"));
        }
        return found;
    }

    /** The export, or empty when it does not exist or cannot be opened (the client learns no more than that). */
    private Optional<Export> openQuietly(String name) throws IOException {
        try {
            return exports.open(name);
        } catch (IOException | StrataException e) {
            return Optional.empty();
        }
    }

    private void reply(OptionReply reply) throws IOException {
        write(HandshakeCodec.encode(reply));
    }

    private void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
