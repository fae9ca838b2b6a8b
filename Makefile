.PHONY: test dev build image

# The image the Kubernetes manifests name (deploy/k8s/deployment.yaml; a test keeps them equal).
IMAGE ?= ghcr.io/veil-privacy/veil:0.1.0
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

# Everything: vet, race tests on kfake, integration tests on Apache Kafka.
test:
	bash deploy/test-all.sh

# Veil on an embedded broker with sample data.
dev:
	go run ./cmd/veil dev

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=$(VERSION)" -o bin/veil ./cmd/veil

# The container image: multi-stage build, static binary, distroless, non-root (needs Docker with BuildKit).
image:
	docker build -f deploy/docker/Dockerfile --build-arg VERSION=$(VERSION) -t $(IMAGE) .
