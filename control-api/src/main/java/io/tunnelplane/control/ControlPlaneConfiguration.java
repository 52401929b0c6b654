package io.tunnelplane.control;

import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.data.jpa.repository.query.DeclaredQuery;
import org.springframework.data.jpa.repository.query.QueryEnhancerFactories;
import org.springframework.data.jpa.repository.query.QueryEnhancerFactory;
import org.springframework.data.jpa.repository.query.QueryEnhancerSelector;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Wires the control plane into whichever application runs it: its components, entities and repositories. */
@Configuration(proxyBeanMethods = false)
@ComponentScan
@ConfigurationPropertiesScan
@AutoConfigurationPackage
@EnableScheduling
@EnableJpaRepositories(queryEnhancerSelector = ControlPlaneConfiguration.PlainQueries.class)
public class ControlPlaneConfiguration {
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Our few hand-written queries are plain JPQL that Spring Data never has to rewrite (no paging or sorting on
     * them), so its pattern-based reader is enough. The default, a full HQL grammar, loads ~460 parser classes and
     * keeps their state machines on the heap of every node (docs/benchmarks.md, session 12).
     */
    public static final class PlainQueries implements QueryEnhancerSelector {
        @Override
        public QueryEnhancerFactory select(DeclaredQuery query) {
            return QueryEnhancerFactories.fallback();
        }
    }
}
