package dev.tollgate.web.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

@Configuration
@EnableConfigurationProperties(TollgateProperties.class)
public class PropertiesConfig {
}
