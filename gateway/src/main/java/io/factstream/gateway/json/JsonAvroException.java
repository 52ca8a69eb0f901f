package io.factstream.gateway.json;

/** JSON that is not a record of the expected schema: the path of the offending field, and what is wrong with it. */
public final class JsonAvroException extends Exception {

    private final String path;

    JsonAvroException(String path, String problem) {
        super(path + " " + problem);
        this.path = path;
    }

    /** Where the problem is, e.g. {@code PlaceOrder.lines[0].quantity}. */
    public String path() {
        return path;
    }
}
