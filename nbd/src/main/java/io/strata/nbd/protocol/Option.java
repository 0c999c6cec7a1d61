package io.strata.nbd.protocol;

import java.util.List;
import java.util.Set;

/**
 * An option a client sends during the handshake, decoded. Options the server does not know become
 * {@link Unsupported}; known options whose data is malformed become {@link Invalid}: both are
 * answered with an error and the handshake goes on.
 */
public sealed interface Option {
    /** The option's number on the wire. */
    int code();

    /** Option numbers. */
    int EXPORT_NAME = 1;
    int ABORT = 2;
    int LIST = 3;
    int STARTTLS = 5;
    int INFO = 6;
    int GO = 7;
    int STRUCTURED_REPLY = 8;
    int LIST_META_CONTEXT = 9;
    int SET_META_CONTEXT = 10;

    /** Chooses an export and ends the handshake; an unknown name can only be answered by closing. */
    record ExportName(String name) implements Option {
        @Override
        public int code() {
            return EXPORT_NAME;
        }
    }

    /** The client gives up: acknowledge and close. */
    record Abort() implements Option {
        @Override
        public int code() {
            return ABORT;
        }
    }

    /** Asks for the names of the exports. */
    record ListExports() implements Option {
        @Override
        public int code() {
            return LIST;
        }
    }

    /** Asks about an export ({@code go == false}: INFO) or also chooses it and ends the handshake (GO). */
    record Info(boolean go, String name, Set<InfoType> requests) implements Option {
        public Info {
            requests = Set.copyOf(requests);
        }

        @Override
        public int code() {
            return go ? GO : INFO;
        }
    }

    /** Asks for structured replies in transmission. */
    record StructuredReply() implements Option {
        @Override
        public int code() {
            return STRUCTURED_REPLY;
        }
    }

    /**
     * Lists ({@code set == false}) or selects ({@code set}) metadata contexts of an export matching
     * the queries; no query lists every context.
     */
    record MetaContext(boolean set, String exportName, List<String> queries) implements Option {
        public MetaContext {
            queries = List.copyOf(queries);
        }

        @Override
        public int code() {
            return set ? SET_META_CONTEXT : LIST_META_CONTEXT;
        }
    }

    /** An option this server does not implement (e.g. STARTTLS): answered with {@link OptionError#UNSUP}. */
    record Unsupported(int code) implements Option {}

    /** A known option with malformed data: answered with {@link OptionError#INVALID}. */
    record Invalid(int code, String reason) implements Option {}
}
