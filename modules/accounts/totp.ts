import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';

const STEP_SECONDS = 30;

export const newTotpSecret = () => generateSecret();

export async function totpQrSvg(secret: string, email: string): Promise<{ uri: string; dataUrl: string }> {
  const uri = generateURI({ issuer: 'Umbrella Newsroom', label: email, secret });
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 1 });
  return { uri, dataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The time step the code matched (±1 step for clock drift), or undefined. */
export function matchTotp(secret: string, code: string, now: Date): number | undefined {
  const epoch = Math.floor(now.getTime() / 1000);
  const result = verifySync({ secret, token: code, epoch, epochTolerance: STEP_SECONDS });
  return result.valid ? (result as { timeStep: number }).timeStep : undefined;
}
