# syntax=docker/dockerfile:1
# One image for every role; the role is chosen at run time with `--role` (see docker-compose.yml).

# --- dependencies: installed from the lockfile only, so this layer is cached until it changes ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a devDependency) runs the TypeScript sources at run time, so the full tree is installed.
RUN npm ci --no-audit --no-fund

# --- runtime ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# In a container the server must listen on all interfaces to be reachable through a published port.
ENV HOST=0.0.0.0
WORKDIR /app
# Owned by root and not writable by the app user: the process cannot modify its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The official node image ships an unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || '3000') + '/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "--max-old-space-size=192", "--import", "tsx", "launcher/main.ts", "--role", "all"]
