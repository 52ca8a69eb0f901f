package io.factstream.statetools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import picocli.CommandLine;

/** One run of the state-tools command line in this JVM: its exit code and what it printed. */
record ToolRun(int exitCode, String out, String err) {

    static ToolRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = StateTools.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exitCode = commandLine.execute(args);
        return new ToolRun(exitCode, out.toString(), err.toString());
    }

    /** The lines printed to standard out. */
    List<String> lines() {
        return out.isBlank() ? List.of() : Arrays.asList(out.strip().split("\n"));
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
