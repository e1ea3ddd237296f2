package io.terraseg.jobs;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Where segment tasks spend their time, summed over all tasks (nanoseconds): decoding and normalizing
 * windows, inside the model, and in total. run.json reports them, so a user sees whether the model is kept
 * busy or waits for I/O.
 */
record TaskTimes(LongAccumulator read, LongAccumulator model, LongAccumulator total) implements Serializable {
  static TaskTimes register(JavaSparkContext jsc) {
    return new TaskTimes(jsc.sc().longAccumulator("terraseg.read"), jsc.sc().longAccumulator("terraseg.model"),
        jsc.sc().longAccumulator("terraseg.total"));
  }
}
