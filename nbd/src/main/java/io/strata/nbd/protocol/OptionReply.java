package io.strata.nbd.protocol;

/**
 * A server's reply to an option (every option but EXPORT_NAME). Some options take several replies:
 * a list of {@link Server} or {@link MetaContext}, or several {@code Info*}, ended by an {@link Ack}.
 */
public sealed interface OptionReply {
    /** The option answered. */
    int option();

    /** Done, with no error. */
    record Ack(int option) implements OptionReply {}

    /** One export's name, in reply to LIST. */
    record Server(int option, String exportName) implements OptionReply {}

    /** The export's size and transmission flags ({@link InfoType#EXPORT}). */
    record ExportInfo(int option, long size, int transmissionFlags) implements OptionReply {}

    /** The export's name ({@link InfoType#NAME}). */
    record NameInfo(int option, String name) implements OptionReply {}

    /** A description for people ({@link InfoType#DESCRIPTION}). */
    record DescriptionInfo(int option, String description) implements OptionReply {}

    /** Block size constraints ({@link InfoType#BLOCK_SIZE}). */
    record BlockSizeInfo(int option, int minimum, int preferred, int maximum) implements OptionReply {}

    /** A metadata context: its id (0 in replies to LIST_META_CONTEXT) and name. */
    record MetaContext(int option, int contextId, String name) implements OptionReply {}

    /** The option failed; the message is for a person. */
    record Error(int option, OptionError error, String message) implements OptionReply {}
}
