# escape=`
FROM registry.example.internal/base/maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 `
    mvn -B -q dependency:go-offline
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

FROM registry.example.internal/base/eclipse-temurin:21-jre@sha256:4d1a9c2b3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
RUN useradd --system --uid 10001 --no-create-home spring
WORKDIR /opt/app
COPY --from=build --chown=spring /build/target/app.jar app.jar
USER spring
EXPOSE 8080
HEALTHCHECK --start-period=60s CMD wget -q --spider http://localhost:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/app/app.jar"]
