package io.tunnelplane.server.config;

import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints unknown settings as Boot prints every start-up failure: what is wrong, then what to do. */
public class UnknownSettingsFailureAnalyzer extends AbstractFailureAnalyzer<UnknownSettingsException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnknownSettingsException cause) {
        String description = cause.unknown().stream().map(unknown -> "    " + unknown.describe())
                .collect(Collectors.joining("\n", "Unknown settings:\n", ""));
        return new FailureAnalysis(description, "Correct or remove them; docs/operations.md lists every setting "
                + "(GET /actuator/configprops shows the ones in force).", cause);
    }
}
