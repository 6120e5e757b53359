package io.hostql.events;

/** A journal record that fails its checksum or cannot be decoded. */
public final class CorruptRecordException extends RuntimeException {
    public CorruptRecordException(String message) {
        super(message);
    }
}
