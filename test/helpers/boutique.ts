/**
 * An Online-Boutique-like monorepo layout (the shape of GoogleCloudPlatform/microservices-demo):
 * services under src/<svc>/ in five languages, one manifest per service in kubernetes-manifests/,
 * one Helm chart whose templates are named after the services, a CODEOWNERS, docs and protos.
 */
const SERVICES: Array<[string, Record<string, string>]> = [
  [
    "adservice",
    {
      "build.gradle": "plugins { id 'java' }\n",
      Dockerfile: "FROM eclipse-temurin:21\n",
      "src/main/java/hipstershop/AdService.java": "class AdService {}\n",
    },
  ],
  [
    "cartservice",
    {
      "src/Dockerfile": "FROM mcr.microsoft.com/dotnet/sdk:8.0\n",
      "src/cartservice.csproj": "<Project/>\n",
      "src/services/CartService.cs": "class CartService {}\n",
      "tests/CartServiceTests.cs": "class T {}\n",
    },
  ],
  ["checkoutservice", { "go.mod": "module checkoutservice\n", Dockerfile: "FROM golang:1.22\n", "main.go": "package main\n" }],
  [
    "currencyservice",
    {
      "package.json": '{\n  "name": "currencyservice",\n  "dependencies": {\n    "@grpc/grpc-js": "1.10.0"\n  }\n}\n',
      Dockerfile: "FROM node:20\n",
      "server.js": "require('x')\n",
    },
  ],
  ["emailservice", { "requirements.txt": "grpcio==1.62.0\n", Dockerfile: "FROM python:3.12\n", "email_server.py": "import grpc\n" }],
  ["frontend", { "go.mod": "module frontend\n", Dockerfile: "FROM golang:1.22\n", "handlers.go": "package main\n" }],
  [
    "paymentservice",
    {
      "package.json":
        '{\n  "name": "paymentservice",\n  "dependencies": {\n    "@grpc/grpc-js": "1.10.0",\n    "simple-card-validator": "1.1.0"\n  }\n}\n',
      Dockerfile: "FROM node:20\n",
      "charge.js": "module.exports = {}\n",
    },
  ],
  [
    "productcatalogservice",
    { "go.mod": "module productcatalogservice\n", Dockerfile: "FROM golang:1.22\n", "server.go": "package main\n" },
  ],
  [
    "recommendationservice",
    { "requirements.txt": "grpcio==1.62.0\n", Dockerfile: "FROM python:3.12\n", "recommendation_server.py": "import grpc\n" },
  ],
  ["shippingservice", { "go.mod": "module shippingservice\n", Dockerfile: "FROM golang:1.22\n", "main.go": "package main\n" }],
];

const manifest = (svc: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${svc}
  labels:
    app: ${svc}
spec:
  selector:
    matchLabels:
      app: ${svc}
  template:
    metadata:
      labels:
        app: ${svc}
    spec:
      containers:
        - name: server
          image: ${svc}
---
apiVersion: v1
kind: Service
metadata:
  name: ${svc}
spec:
  selector:
    app: ${svc}
`;

/** Path → text of the whole tree. */
export function boutiqueTree(): Record<string, string> {
  const files: Record<string, string> = {
    "README.md": "# Online Boutique\n",
    "docs/development-guide.md": "# Dev\n",
    "protos/demo.proto": 'syntax = "proto3";\n',
    "skaffold.yaml": "apiVersion: skaffold/v4beta1\n",
    ".github/CODEOWNERS": "* @boutique/maintainers\n/src/paymentservice/ @boutique/payments\n/docs/ @boutique/docs\n",
    "helm-chart/Chart.yaml": "apiVersion: v2\nname: onlineboutique\nversion: 0.10.0\n",
    "helm-chart/values.yaml": "images:\n  repository: us-central1-docker.pkg.dev/google-samples/microservices-demo\n",
    "src/loadgenerator/locustfile.py": "from locust import HttpUser\n",
    "src/loadgenerator/Dockerfile": "FROM python:3.12\n",
    "kubernetes-manifests/redis.yaml": manifest("redis-cart").replace("image: redis-cart", "image: redis:alpine"),
  };
  for (const [svc, own] of SERVICES) {
    for (const [path, text] of Object.entries(own)) files[`src/${svc}/${path}`] = text;
    files[`kubernetes-manifests/${svc}.yaml`] = manifest(svc);
    files[`helm-chart/templates/${svc}.yaml`] =
      `{{- if .Values.${svc}.create }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.${svc}.name }}\n{{- end }}\n`;
  }
  return files;
}

export const BOUTIQUE_SERVICES = [...SERVICES.map(([s]) => s), "loadgenerator"].sort();
