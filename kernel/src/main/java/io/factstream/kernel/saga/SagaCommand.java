package io.factstream.kernel.saga;

import org.apache.avro.specific.SpecificRecord;

/**
 * A command a saga sends, before the runtime puts it in an envelope.
 *
 * @param step      the step's name, unique within one saga instance: with the saga's id it makes the command id, so
 *                  that a step run again (after a failure, in a replay) sends the same command id and the aggregate
 *                  recognises it
 * @param subjectId the aggregate the command addresses
 * @param data      the command record
 */
public record SagaCommand(String step, String subjectId, SpecificRecord data) {
}
