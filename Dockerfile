# boucle's servers in a small image: docker build -t boucle .
# Why node 26: the current LTS line (since October 2026). The project is
# developed on Node 20, which left maintenance in April 2026; its whole test
# suite also passes on 26.12.1 and 24.22.3 (2026-12-02). Another line:
# --build-arg NODE=24 (or 20, engines' minimum).
ARG NODE=26

# Stage 1: compile the TypeScript (npm ci runs `prepare`, which is `npm run build`).
FROM node:${NODE}-alpine AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY examples ./examples
RUN npm ci --no-audit --no-fund

# Stage 2: the built JavaScript and the runtime dependencies only; no
# TypeScript, no sources, no dev dependencies.
FROM node:${NODE}-alpine
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/examples ./dist/examples

# Inside a container the server must listen on every interface to be reachable.
ENV BOUCLE_HOST=0.0.0.0 \
    BOUCLE_PORT=7777 \
    NODE_ENV=production
USER node
EXPOSE 7777 7007
CMD ["node", "bin/boucle.js", "chat-server"]
