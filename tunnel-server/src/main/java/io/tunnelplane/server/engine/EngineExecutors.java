package io.tunnelplane.server.engine;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** The executor for the engine's blocking work (database lookups at login), kept off the event loops. */
@Configuration(proxyBeanMethods = false)
public class EngineExecutors {
    @Bean(name = "engineBlockingExecutor", destroyMethod = "shutdown")
    public ThreadPoolTaskExecutor engineBlockingExecutor() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("tunnel-db-");
        executor.setCorePoolSize(4);
        executor.setMaxPoolSize(16);
        executor.setQueueCapacity(10_000);
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.initialize();
        return executor;
    }
}
