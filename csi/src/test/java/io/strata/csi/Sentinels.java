package io.strata.csi;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.HexFormat;

/**
 * Puts a sentinel string into every string a CSI request can carry, so that a test can prove the
 * sentinel never reaches the log: string fields, both sides of map entries (the {@code secrets} maps
 * among them), repeated strings, the same in nested messages, and an unknown field such as a newer CO
 * would send. Works for any request type, so the Controller and Node tests use it as it is.
 */
public final class Sentinels {

    /** Past this depth nested messages are left empty; CSI requests are shallow and some types recurse. */
    private static final int MAX_DEPTH = 4;
    /** A field number no CSI message uses, to carry the sentinel as an unknown field. */
    private static final int UNKNOWN_FIELD = 9999;

    private Sentinels() {}

    /** {@code prototype} with {@code sentinel} in every string it can hold. */
    @SuppressWarnings("unchecked")
    public static <M extends Message> M fill(M prototype, String sentinel) {
        Message.Builder builder = prototype.toBuilder();
        fill(builder, sentinel, 0);
        return (M) builder.build();
    }

    /** The sentinel as a hex dump would show it: a log must not hold it in that form either. */
    public static String hex(String sentinel) {
        return HexFormat.of().formatHex(sentinel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void fill(Message.Builder builder, String sentinel, int depth) {
        Descriptor type = builder.getDescriptorForType();
        for (FieldDescriptor field : type.getFields()) {
            // in a oneof each member replaces the one before: the last member is the one sent
            if (field.isMapField()) {
                fillMap(builder, field, sentinel);
            } else if (field.getJavaType() == FieldDescriptor.JavaType.STRING) {
                if (field.isRepeated()) {
                    builder.addRepeatedField(field, sentinel);
                } else {
                    builder.setField(field, sentinel);
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth < MAX_DEPTH) {
                Message.Builder child = builder.newBuilderForField(field);
                fill(child, sentinel, depth + 1);
                if (field.isRepeated()) {
                    builder.addRepeatedField(field, child.build());
                } else {
                    builder.setField(field, child.build());
                }
            }
        }
        builder.setUnknownFields(UnknownFieldSet.newBuilder(builder.getUnknownFields())
                .addField(UNKNOWN_FIELD, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8(sentinel)).build())
                .build());
    }

    private static void fillMap(Message.Builder builder, FieldDescriptor field, String sentinel) {
        Message.Builder entry = builder.newBuilderForField(field);
        Descriptor entryType = field.getMessageType();
        FieldDescriptor key = entryType.findFieldByName("key");
        FieldDescriptor value = entryType.findFieldByName("value");
        if (key.getJavaType() != FieldDescriptor.JavaType.STRING) {
            return;
        }
        entry.setField(key, "key-" + sentinel);
        if (value.getJavaType() == FieldDescriptor.JavaType.STRING) {
            entry.setField(value, sentinel);
        } else {
            return;
        }
        builder.addRepeatedField(field, entry.build());
    }
}
