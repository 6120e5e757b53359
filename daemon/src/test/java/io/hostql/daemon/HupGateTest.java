package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A SIGHUP while hostqld starts is neither the JVM's end (its default) nor lost: it reloads once started. */
class HupGateTest {
    @Test
    void aSignalBeforeTheStartIsAppliedOnceWhenItOpensAndLaterOnesAtOnce() {
        AtomicInteger reloads = new AtomicInteger();
        Hostqld.HupGate gate = new Hostqld.HupGate(reloads::incrementAndGet);
        gate.signal();
        gate.signal();
        assertThat(reloads).hasValue(0);
        gate.open();
        assertThat(reloads).as("the held signals are one reload").hasValue(1);
        gate.signal();
        assertThat(reloads).hasValue(2);
    }

    @Test
    void noSignalBeforeTheStartMeansNoReloadWhenItOpens() {
        AtomicInteger reloads = new AtomicInteger();
        Hostqld.HupGate gate = new Hostqld.HupGate(reloads::incrementAndGet);
        gate.open();
        assertThat(reloads).hasValue(0);
    }
}
