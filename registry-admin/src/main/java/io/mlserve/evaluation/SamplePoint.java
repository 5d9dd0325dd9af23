package io.mlserve.evaluation;

/**
 * One scored value from the evaluation's bounded random sample (for the report's plots): for a
 * regression one output value of one row, for a classification one row with the predicted
 * classes.
 *
 * @param row the dataset row
 * @param output the output's index in the row (0 for a classification)
 * @param label the label value (the class index for a classification)
 * @param candidate the candidate's output value (its predicted class for a classification)
 * @param baseline the baseline's, or null without a baseline
 */
public record SamplePoint(long row, int output, double label, double candidate,
    Double baseline) {}
