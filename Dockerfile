# podform itself, for CI systems and clusters: build with the Swift toolchain, run on the slim runtime.
# docker build -t podform:0.2.0 .
FROM swift:6.3-jammy AS build
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Schemas ./Schemas
COPY Tests ./Tests
RUN swift build -c release --product podform --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/podform" /usr/local/bin/podform \
    && cp -R "$(swift build -c release --show-bin-path)/podform_PodformCatalog.resources" /usr/local/bin/

FROM swift:6.3-jammy-slim
RUN useradd --uid 65532 --create-home podform
COPY --from=build /usr/local/bin/podform /usr/local/bin/podform
COPY --from=build /usr/local/bin/podform_PodformCatalog.resources /usr/local/bin/podform_PodformCatalog.resources
USER 65532
ENTRYPOINT ["/usr/local/bin/podform"]
CMD ["--help"]
